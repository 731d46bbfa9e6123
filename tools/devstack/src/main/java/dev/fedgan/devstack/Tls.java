package dev.fedgan.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The dev stack's TLS identity: a self-signed certificate for {@code 127.0.0.1} and {@code localhost} in a PKCS12
 * key store, and a trust store holding only that certificate, which clients (the services, the CLI, tests) trust.
 * Made once per directory with the JDK's {@code keytool} (every JDK has it; no extra library) and reused.
 *
 * @param keyStore   the server's key and certificate (PKCS12)
 * @param trustStore the certificate alone (PKCS12), for clients
 * @param password   the password of both stores (a local development secret)
 */
public record Tls(Path keyStore, Path trustStore, String password) {

    /** The stores' password: the dev stack's, like its S3 secret, a local development value. */
    public static final String PASSWORD = "fedgan-dev-tls";
    private static final String ALIAS = "fedgan-devstack";

    /**
     * The identity in {@code dir} ({@code keystore.p12}, {@code truststore.p12}), made if missing.
     *
     * @throws IllegalStateException if keytool fails
     */
    public static Tls in(Path dir) {
        Path key = dir.resolve("keystore.p12");
        Path trust = dir.resolve("truststore.p12");
        if (Files.isRegularFile(key) && Files.isRegularFile(trust)) {
            return new Tls(key, trust, PASSWORD);
        }
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(key);
            Files.deleteIfExists(trust);
            Path cert = dir.resolve("devstack.crt");
            keytool("-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "3650",
                    "-dname", "CN=fedgan dev stack", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-keystore", key.toString(),
                    "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD);
            keytool("-exportcert", "-rfc", "-alias", ALIAS, "-keystore", key.toString(), "-storetype", "PKCS12",
                    "-storepass", PASSWORD, "-file", cert.toString());
            keytool("-importcert", "-noprompt", "-alias", ALIAS, "-file", cert.toString(), "-keystore",
                    trust.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
            return new Tls(key, trust, PASSWORD);
        } catch (IOException e) {
            throw new IllegalStateException("could not make the dev stack's TLS identity in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    private static void keytool(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool " + args[0] + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran", e);
        }
    }
}

package dev.fedgan.devstack;

import dev.fedgan.protocol.KafkaAccess;
import dev.fedgan.protocol.Topics;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The secure dev stack's Kafka users: one per service and the submitter ({@link KafkaAccess}), plus the super user,
 * with random passwords kept in {@code DIR/kafka-users.properties} (owner-only), made on the first secure start.
 */
final class KafkaUsers {

    private KafkaUsers() {
    }

    static Path file(Path dir) {
        return dir.resolve("kafka-users.properties");
    }

    /** Every user's password but the super user's, made if missing. */
    static Map<String, String> passwords(Path dir) {
        Map<String, String> users = new LinkedHashMap<>();
        for (KafkaAccess a : KafkaAccess.of(Topics.withPrefix(Topics.DEFAULT_PREFIX))) {
            users.put(a.user(), password(dir, a.user()));
        }
        return users;
    }

    /** {@code user}'s password, made (and kept) if missing. */
    static synchronized String password(Path dir, String user) {
        Path file = file(dir);
        Properties p = new Properties();
        try {
            if (Files.isRegularFile(file)) {
                try (Reader r = Files.newBufferedReader(file)) {
                    p.load(r);
                }
            }
            String pw = p.getProperty(user);
            if (pw == null) {
                byte[] b = new byte[16];
                new SecureRandom().nextBytes(b);
                pw = HexFormat.of().formatHex(b);
                p.setProperty(user, pw);
                Files.createDirectories(dir);
                if (!Files.exists(file)) {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                }
                try (Writer w = Files.newBufferedWriter(file)) {
                    p.store(w, "fedgan dev stack: Kafka users (SASL/PLAIN over TLS)");
                }
            }
            return pw;
        } catch (IOException e) {
            throw new IllegalStateException("could not read or write the Kafka users in " + file + ": " + e.getMessage(), e);
        }
    }

    /** Where {@link #writeClients} puts {@code user}'s Kafka client settings. */
    static Path clientFile(Path dir, String user) {
        return dir.resolve("clients").resolve(user + ".properties");
    }

    /**
     * Writes each user's Kafka client settings (the super user's too) to {@code DIR/clients/USER.properties}, owner
     * only: what {@code fedgan submit --kafka-config} and the local services read.
     */
    static void writeClients(Path dir, EmbeddedKafka.Security security) {
        Map<String, String> users = new LinkedHashMap<>(security.users());
        users.put(EmbeddedKafka.Security.ADMIN, security.adminPassword());
        try {
            Files.createDirectories(dir.resolve("clients"));
            for (var u : users.entrySet()) {
                Path file = clientFile(dir, u.getKey());
                if (!Files.exists(file)) {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                }
                Properties p = new Properties();
                p.putAll(security.clientProperties(u.getKey(), u.getValue()));
                try (Writer w = Files.newBufferedWriter(file)) {
                    p.store(w, "fedgan dev stack: Kafka client settings of user " + u.getKey()
                            + " (bootstrap.servers apart: --bootstrap)");
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not write the Kafka clients' settings in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates the fedgan topics on a secure broker (no user may create topics there) and grants every user its
     * {@link KafkaAccess}; returns the broker.
     */
    static EmbeddedKafka granted(EmbeddedKafka kafka) {
        if (kafka.security() != null) {
            Topics topics = Topics.withPrefix(Topics.DEFAULT_PREFIX);
            for (String t : topics.all()) {
                kafka.createTopic(t, topics.partitions(t, 1));
            }
            for (KafkaAccess a : KafkaAccess.of(topics)) {
                kafka.grant(a.user(), a.reads(), a.writes(), a.groups());
            }
        }
        return kafka;
    }
}

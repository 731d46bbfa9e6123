package dev.fedgan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local stack's sizing of service JVMs. */
class LocalServicesTest {

    @Test
    void readsJvmMemorySizes() {
        assertEquals(1L << 30, LocalServices.parseBytes("1g"));
        assertEquals(3L << 30, LocalServices.parseBytes("3G"));
        assertEquals(512L << 20, LocalServices.parseBytes("512m"));
        assertEquals(1048576L, LocalServices.parseBytes("1048576"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LocalServices.parseBytes("2 GB"));
        assertTrue(e.getMessage().contains("'2 GB'"), e.getMessage());
    }

    @Test
    void aServiceJvmMayHoldItsHeapPlusFourGigabytesOfNatives() {
        // A reference-preset client-update holds about 2.5 GB of natives beside its heap.
        List<String> args = LocalServices.serviceJvm("1g", 8123, Path.of("services/x/quarkus-run.jar"),
                "http://127.0.0.1:19000");
        assertTrue(args.contains("-Xmx1g"), args.toString());
        assertTrue(args.contains("-Dorg.bytedeco.javacpp.maxphysicalbytes=" + (5L << 30)), args.toString());
        assertTrue(args.contains("-Dquarkus.http.port=8123"), args.toString());
        assertEquals(List.of("-jar", "services/x/quarkus-run.jar"), args.subList(args.size() - 2, args.size()));
    }

    /**
     * On the secure stack a service JVM is its own Kafka user through KAFKA_* variables, the chart's way: Quarkus
     * reads KAFKA_SASL_JAAS_CONFIG as kafka.sasl.jaas.config. A replica is its service's user.
     */
    @Test
    void aSecureServiceIsItsOwnKafkaUserThroughTheEnvironment(@TempDir Path dir)
            throws Exception {
        Path stack = dir.resolve("stack");
        Files.createDirectories(stack.resolve("clients"));
        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"client-update\""
                + " password=\"p1\";";
        Properties client = new Properties();
        client.putAll(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN", "sasl.jaas.config", jaas,
                "ssl.truststore.location", "/s/truststore.p12", "ssl.truststore.password", "pw"));
        try (var w = Files.newBufferedWriter(stack.resolve("clients/client-update.properties"))) {
            client.store(w, null);
        }
        LocalServices local = new LocalServices(dir, dir.resolve("logs"), s -> { }).secure(stack);
        Map<String, String> env = local.securityEnvironment("client-update-2");
        assertEquals(Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_SASL_MECHANISM", "PLAIN",
                "KAFKA_SASL_JAAS_CONFIG", jaas, "KAFKA_SSL_TRUSTSTORE_LOCATION", "/s/truststore.p12",
                "KAFKA_SSL_TRUSTSTORE_PASSWORD", "pw", "FEDGAN_S3_TRUST_STORE", "/s/truststore.p12",
                "FEDGAN_S3_TRUST_STORE_PASSWORD", "pw"), env);
        assertEquals("https://127.0.0.1:19000", local.s3());
        assertEquals(Map.of(), new LocalServices(dir, dir.resolve("logs"), s -> { }).securityEnvironment("filter"));
    }

    @Test
    void clientUpdatesShareTheCoresAndSleepWhileWaiting() {
        // Spinning OpenMP threads would take the cores that the delta stores need.
        assertEquals(Map.of("OMP_WAIT_POLICY", "PASSIVE"), LocalServices.clientUpdateEnvironment(1));
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(Map.of("OMP_WAIT_POLICY", "PASSIVE", "OMP_NUM_THREADS", Integer.toString(Math.max(1, cores / 2))),
                LocalServices.clientUpdateEnvironment(2));
        assertEquals("1", LocalServices.clientUpdateEnvironment(4 * cores).get("OMP_NUM_THREADS"));
    }

    /**
     * --no-warm-up: both services' warm-up steps set to 0 by the environment variables Quarkus reads as
     * fedgan.warm-up.critic-steps and fedgan.warm-up.generator-steps; by default the services' own settings.
     */
    @Test
    void noWarmUpSetsTheServicesStepsToZero(@TempDir Path dir) throws Exception {
        Map<String, String> omp = LocalServices.clientUpdateEnvironment(1);
        assertEquals(omp, new LocalServices(dir, dir.resolve("logs"), s -> { }).serviceEnvironment("client-update", omp));
        Map<String, String> env = new LocalServices(dir, dir.resolve("logs"), s -> { }).warmUp(false)
                .serviceEnvironment("aggregator", Map.of());
        assertEquals(Map.of("FEDGAN_WARM_UP_CRITIC_STEPS", "0", "FEDGAN_WARM_UP_GENERATOR_STEPS", "0"), env);
    }

    /** A fault ends a process by name; the restart runs the same command again, its output after the first run's. */
    @Test
    void aProcessEndedAsAFaultIsRestartedAsItWasStarted(@TempDir Path dir) throws Exception {
        try (LocalServices local = new LocalServices(dir, dir.resolve("logs"), line -> { })) {
            local.startProgram("echoer", List.of("sh", "-c", "echo started; exec sleep 60"));
            waitForLines(local.log("echoer"), 1);
            local.end("echoer", true);
            assertTrue(local.running().isEmpty(), "ended: " + local.running());
            local.checkAlive(); // an ended process is not a crash
            local.restart("echoer");
            waitForLines(local.log("echoer"), 2);
            assertEquals(List.of("started", "started"), java.nio.file.Files.readAllLines(local.log("echoer")));
            assertTrue(local.running().get("echoer").isAlive());
            assertThrows(IllegalArgumentException.class, () -> local.restart("nobody"));
            assertThrows(IllegalArgumentException.class, () -> local.end("nobody", false));
        }
    }

    private static void waitForLines(Path log, int lines) throws Exception {
        for (int i = 0; i < 100 && (!java.nio.file.Files.exists(log)
                || java.nio.file.Files.readAllLines(log).size() < lines); i++) {
            Thread.sleep(50);
        }
    }
}

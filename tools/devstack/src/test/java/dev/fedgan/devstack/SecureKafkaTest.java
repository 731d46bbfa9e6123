package dev.fedgan.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secure mode against real clients over sockets: TLS with the dev stack's own certificate, SASL/PLAIN users,
 * and ACLs: a user does what it is granted and nothing else; a wrong password, an unauthenticated client or one that
 * does not trust the certificate gets nothing.
 */
class SecureKafkaTest {

    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;
    static EmbeddedKafka.Security security;

    @BeforeAll
    static void start() {
        security = new EmbeddedKafka.Security(Tls.in(dir.resolve("tls")), "admin-secret",
                Map.of("alice", "alice-secret", "bob", "bob-secret"));
        kafka = EmbeddedKafka.builder().security(security).start();
        kafka.createTopic("alice-in", 1);
        kafka.createTopic("alice-out", 1);
        kafka.grant("alice", List.of("alice-in"), List.of("alice-out", "alice-in"), List.of("alice-group*"));
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static Properties client(Map<String, String> security) {
        Properties p = new Properties();
        p.putAll(security);
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        p.put("max.block.ms", "3000");
        p.put("delivery.timeout.ms", "3000");
        p.put("request.timeout.ms", "2500");
        return p;
    }

    private static Throwable send(Properties p, String topic) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topic, "k", "v")).get(20, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }

    @Test
    void aUserDoesWhatItsAclsAllowAndNothingElse() throws Exception {
        Properties alice = client(security.clientProperties("alice", "alice-secret"));
        assertEquals(null, send(alice, "alice-out"));
        assertEquals(null, send(alice, "alice-in"));
        alice.put("group.id", "alice-group-1");
        alice.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(alice)) {
            consumer.subscribe(List.of("alice-in"));
            ConsumerRecords<String, String> got = ConsumerRecords.empty();
            for (int i = 0; i < 40 && got.isEmpty(); i++) {
                got = consumer.poll(Duration.ofMillis(500));
            }
            assertEquals("v", got.iterator().next().value());
        }
        // alice may not write where she was not granted, bob may do nothing at all
        assertInstanceOf(TopicAuthorizationException.class, send(client(security.clientProperties("alice",
                "alice-secret")), "other"));
        assertInstanceOf(TopicAuthorizationException.class, send(client(security.clientProperties("bob",
                "bob-secret")), "alice-out"));
    }

    @Test
    void aWrongPasswordAnUnauthenticatedClientAndAnUntrustingOneAreRefused() {
        Throwable wrong = send(client(security.clientProperties("alice", "guess")), "alice-out");
        assertInstanceOf(SaslAuthenticationException.class, wrong, String.valueOf(wrong));
        // PLAINTEXT against a TLS listener: never gets metadata
        Throwable plain = send(client(Map.of()), "alice-out");
        assertInstanceOf(org.apache.kafka.common.errors.TimeoutException.class, plain, String.valueOf(plain));
        // the right password, but without the dev stack's trust store: the TLS handshake fails
        Properties untrusting = client(security.clientProperties("alice", "alice-secret"));
        untrusting.remove("ssl.truststore.location");
        untrusting.remove("ssl.truststore.type");
        untrusting.remove("ssl.truststore.password");
        Throwable handshake = send(untrusting, "alice-out");
        assertTrue(handshake instanceof org.apache.kafka.common.errors.SslAuthenticationException
                || handshake instanceof org.apache.kafka.common.errors.TimeoutException, String.valueOf(handshake));
    }

    /** The secure dev stack: each service and the submitter may use their own topics (KafkaAccess) only. */
    @Test
    void theSecureDevStackGrantsEachServiceItsOwnTopicsOnly(@TempDir Path stackDir) throws Exception {
        try (DevStack stack = DevStack.start(stackDir, DevStack.Ports.FREE, "k", "secret-k",
                java.util.EnumSet.allOf(DevStack.Part.class), true)) {
            Properties users = new Properties();
            try (var r = java.nio.file.Files.newBufferedReader(stackDir.resolve("kafka-users.properties"))) {
                users.load(r);
            }
            EmbeddedKafka.Security s = stack.kafka().security();
            java.util.function.Function<String, Properties> as = user -> {
                Properties p = client(s.clientProperties(user, users.getProperty(user)));
                p.put("bootstrap.servers", stack.bootstrapServers());
                return p;
            };
            assertEquals(null, send(as.apply("submitter"), "fedgan.experiments"));
            assertEquals(null, send(as.apply("filter"), "fedgan.populations"));
            // only the submitter submits; the filter cannot announce rounds; the submitter cannot read members
            assertInstanceOf(TopicAuthorizationException.class, send(as.apply("client-update"),
                    "fedgan.experiments"));
            assertInstanceOf(TopicAuthorizationException.class, send(as.apply("filter"), "fedgan.rounds"));
            Properties submitter = as.apply("submitter");
            submitter.put("group.id", "fedgan-follow-test");
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(submitter)) {
                c.subscribe(List.of("fedgan.populations"));
                assertThrows(TopicAuthorizationException.class, () -> {
                    for (int i = 0; i < 20; i++) {
                        c.poll(Duration.ofMillis(500));
                    }
                });
            }
            assertTrue(stack.s3Endpoint().startsWith("https://"), stack.s3Endpoint());
            assertTrue(stack.describe().contains("kafka-users.properties"), stack.describe());
            assertTrue(!stack.describe().contains(users.getProperty("filter")), "no password printed");
        }
        assertThrows(IllegalArgumentException.class, () -> DevStack.Options.parse("--secure"));
        assertTrue(DevStack.Options.parse("--secure", "--dir", "/tmp/x").secure);
    }

    @Test
    void theControllerPortIsNotAnOpenDoor() {
        Properties p = client(Map.of());
        p.put("bootstrap.servers", EmbeddedKafka.HOST + ":" + kafka.controllerPort());
        Throwable plain = send(p, "alice-out");
        assertTrue(plain != null, "a PLAINTEXT client got through the controller port");
        assertThrows(IllegalArgumentException.class, () -> new EmbeddedKafka.Security(security.tls(), "x",
                Map.of("admin", "y")));
    }
}

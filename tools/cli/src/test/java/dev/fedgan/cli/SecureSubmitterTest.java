package dev.fedgan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fedgan.core.io.Json;
import dev.fedgan.devstack.EmbeddedKafka;
import dev.fedgan.devstack.Tls;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.ImagesReady;
import dev.fedgan.protocol.KafkaAccess;
import dev.fedgan.protocol.Message;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.protocol.Topics;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fedgan submit} and {@code watch} on a broker that authorizes, as the chart's and the secure dev stack's do:
 * with the submitter's identity ({@code --kafka-config}) they submit and follow the released topics only, N̂ taken
 * from the rounds; another service's identity is told it may not read them.
 */
class SecureSubmitterTest {

    static final Topics TOPICS = Topics.withPrefix(Topics.DEFAULT_PREFIX);

    @TempDir
    Path tmp;

    @Test
    void theSubmitterSubmitsAndFollowsTheReleasedTopicsOnly() throws Exception {
        Map<String, String> passwords = new LinkedHashMap<>();
        for (KafkaAccess a : KafkaAccess.of(TOPICS)) {
            passwords.put(a.user(), a.user() + "-pw");
        }
        EmbeddedKafka.Security security = new EmbeddedKafka.Security(Tls.in(tmp.resolve("tls")), "admin-pw", passwords);
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().security(security).start()) {
            TOPICS.all().forEach(t -> kafka.createTopic(t, 1));
            for (KafkaAccess a : KafkaAccess.of(TOPICS)) {
                kafka.grant(a.user(), a.reads(), a.writes(), a.groups());
            }
            Path submitter = clientFile(security, KafkaAccess.SUBMITTER);
            Path spec = tmp.resolve("spec.json");
            Files.writeString(spec, "{\"schema\": 1, \"experiment_id\": \"s1\", \"data\": \"bundled:field\","
                    + " \"invert_probability\": 0.5, \"bug_seed\": 7, \"gan\": {\"rounds\": 2}}");
            FedganCliTest.Run sent = FedganCliTest.run("submit", spec.toString(), "--bootstrap", kafka.bootstrapServers(),
                    "--kafka-config", submitter.toString(), "--json");
            assertEquals(0, sent.status(), sent.err());

            ObjectRef ref = new ObjectRef("fedgan", "k", 1, "0".repeat(64));
            try (KafkaProducer<String, String> admin = producer(kafka, security.clientProperties(
                    EmbeddedKafka.Security.ADMIN, "admin-pw"))) {
                ExperimentRequest request = ExperimentRequest.builder().experimentId("s1").data("bundled:field").build();
                send(admin, TOPICS.populations(), new PopulationReady(1, "s1", "low_accuracy", List.of("m31"), 5, 1e-5,
                        ref, null, request));
                for (String gan : List.of("low_accuracy", "high_accuracy")) {
                    for (int round = 1; round <= 2; round++) {
                        send(admin, TOPICS.rounds(), RoundCompleted.builder().experimentId("s1").gan(gan).round(round)
                                .epsilon(10.0 * round).epsilonOriginal(12.0 * round).delta(1e-3).generator(ref)
                                .critic(ref).finished(round == 2).stoppedBecause(round == 2 ? "round limit" : null)
                                .populationSize(gan.startsWith("low") ? 7 : 93).build());
                    }
                    send(admin, TOPICS.images(), ImagesReady.builder().experimentId("s1").gan(gan).round(2).grid(ref)
                            .meanPixel(0.1).polarity("NORMAL").verdict(gan.startsWith("high") ? "Inconclusive" : null)
                            .build());
                }
            }
            FedganCliTest.Run watched = FedganCliTest.run("watch", "s1", "--bootstrap", kafka.bootstrapServers(),
                    "--kafka-config", submitter.toString(), "--timeout", "60", "--json");
            assertEquals(0, watched.status(), watched.err());
            JsonNode j = Json.MAPPER.readTree(watched.out());
            assertEquals("Inconclusive", j.get("verdict").asText());
            assertEquals(7, j.get("gans").get(0).get("population_size").asInt(), "N̂ from the rounds");
            assertEquals(93, j.get("gans").get(1).get("population_size").asInt());
            assertTrue(watched.err().contains("following the released rounds and images only (this identity may not"
                    + " read " + TOPICS.deadLetter() + ", " + TOPICS.populations() + ")"), watched.err());
            assertFalse(watched.err().contains("ERROR"), "no authorization errors logged: " + watched.err());

            FedganCliTest.Run wrong = FedganCliTest.run("watch", "s1", "--bootstrap", kafka.bootstrapServers(),
                    "--kafka-config", clientFile(security, "client-update").toString(), "--timeout", "60");
            assertEquals(1, wrong.status());
            // client-update writes dead letters (Write implies Describe) but reads none of these
            assertTrue(wrong.err().contains("this Kafka identity may not read [" + TOPICS.images() + ", "
                    + TOPICS.populations() + ", " + TOPICS.rounds() + "]"), wrong.err());
        }
    }

    private Path clientFile(EmbeddedKafka.Security security, String user) throws Exception {
        Path file = tmp.resolve(user + ".properties");
        Properties p = new Properties();
        p.putAll(security.clientProperties(user, user + "-pw"));
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, null);
        }
        return file;
    }

    private static void send(KafkaProducer<String, String> producer, String topic, Message m) throws Exception {
        producer.send(new ProducerRecord<>(topic, m.experimentId(), Messages.encode(m))).get();
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka, Map<String, String> client) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }
}

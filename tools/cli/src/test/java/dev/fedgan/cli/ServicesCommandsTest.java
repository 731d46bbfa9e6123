package dev.fedgan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fedgan.core.io.Json;
import dev.fedgan.devstack.EmbeddedKafka;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.ImagesReady;
import dev.fedgan.protocol.Message;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.protocol.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import dev.fedgan.core.fairness.FairnessSweep;
import dev.fedgan.core.fairness.SweepSpec;
import dev.fedgan.protocol.FairnessSweepRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fedgan submit} and {@code fedgan watch} against a real in-process KRaft broker. */
class ServicesCommandsTest {

    static EmbeddedKafka kafka;
    static final Topics TOPICS = Topics.withPrefix(Topics.DEFAULT_PREFIX);

    @TempDir
    Path tmp;

    @BeforeAll
    static void broker() {
        kafka = EmbeddedKafka.builder().start();
        TOPICS.all().forEach(t -> kafka.createTopic(t, 1));
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void submitValidatesAndProducesTheRequestKeyedByExperiment() throws Exception {
        Path spec = tmp.resolve("spec.json");
        Files.writeString(spec, "{\"schema\": 1, \"experiment_id\": \"demo-1\", \"data\": \"bundled:field\","
                + " \"invert_probability\": 0.5, \"bug_seed\": 7, \"gan\": {\"rounds\": 20}}");
        FedganCliTest.Run r = FedganCliTest.run("submit", spec.toString(), "--bootstrap", kafka.bootstrapServers(), "--json");
        assertEquals(0, r.status(), r.err());
        assertEquals("demo-1", Json.MAPPER.readTree(r.out()).get("experiment_id").asText());
        ConsumerRecord<String, String> rec = first(TOPICS.experiments());
        assertEquals("demo-1", rec.key());
        ExperimentRequest sent = Messages.decode(rec.value(), ExperimentRequest.class);
        assertEquals(20, sent.gan().rounds());

        Files.writeString(spec, "{\"schema\": 1, \"experiment_id\": \"demo-2\", \"data\": \"bundled:field\","
                + " \"invert_probability\": 2, \"bug_seed\": 7}");
        FedganCliTest.Run bad = FedganCliTest.run("submit", spec.toString(), "--bootstrap", kafka.bootstrapServers());
        assertEquals(1, bad.status());
        assertEquals("fedgan: error: " + spec + ": invert_probability must be in [0.0, 1.0], got 2.0", bad.err().strip());
    }

    /** The sweep is checked here, then produced with its data and options as the services read them back. */
    @Test
    void aFairnessSweepIsSubmittedAsOneRequest() throws Exception {
        FedganCliTest.Run r = FedganCliTest.run("fairness", "--submit", "sweep-1", "--bootstrap",
                kafka.bootstrapServers(), "--minority", "inverted", "--shares", "1,0.8", "--size", "200", "--epochs",
                "1", "--batch", "50", "--modes", "dp-sgd,dp-fedavg", "--examples-per-user", "10", "--json", "-q");
        assertEquals(0, r.status(), r.err());
        assertEquals(4, Json.MAPPER.readTree(r.out()).get("points").asInt());
        ConsumerRecord<String, String> rec = first(TOPICS.fairnessSweeps());
        assertEquals("sweep-1", rec.key());
        FairnessSweepRequest sent = Messages.decode(rec.value(), FairnessSweepRequest.class);
        SweepSpec spec = SweepSpec.fromJson(sent.sweep().toString());
        assertEquals("bundled:lab", spec.data());
        assertEquals(List.of(1.0, 0.8), spec.sweep().shares());
        assertEquals(List.of("DP-SGD z 0.8", "DP-FedAvg z 0.8"), spec.sweep().settings().stream()
                .map(FairnessSweep.Setting::name).toList());
        assertEquals(1, spec.sweep().settings().get(1).federated().usersPerRound(), "5% of 20 users, at least 1");

        FedganCliTest.Run bad = FedganCliTest.run("fairness", "--submit", "sweep-2", "--bootstrap",
                kafka.bootstrapServers(), "--size", "1000000");
        assertEquals(1, bad.status());
        assertTrue(bad.err().contains("cannot give 1000000 training examples"), bad.err());
    }

    @Test
    void watchFollowsRoundsAndEndsWhenBothGansFinished() throws Exception {
        ObjectRef ref = new ObjectRef("fedgan", "k", 1, "0".repeat(64));
        try (KafkaProducer<String, String> producer = producer()) {
            // The populations' members travel on the trusted topic; watch shows only the released noisy size N̂.
            ExperimentRequest request = ExperimentRequest.builder().experimentId("w1").data("bundled:field").build();
            send(producer, TOPICS.populations(), new PopulationReady(1, "w1", "low_accuracy", List.of("m31", "m32"), 7,
                    1e-5, ref, null, request));
            for (String gan : List.of("low_accuracy", "high_accuracy")) {
                for (int round = 1; round <= 2; round++) {
                    send(producer, TOPICS.rounds(), RoundCompleted.builder().experimentId("w1").gan(gan).round(round)
                            .generatorLoss(0.25 * round).epsilon(100.0 * round).epsilonOriginal(120.0 * round)
                            .delta(1e-3).generator(ref).critic(ref).finished(round == 2)
                            .stoppedBecause(round == 2 ? "round limit 2 reached" : null).build());
                }
                send(producer, TOPICS.images(), ImagesReady.builder().experimentId("w1").gan(gan).round(2).grid(ref)
                        .meanPixel(gan.startsWith("low") ? 0.7 : -0.7).polarity(gan.startsWith("low") ? "INVERTED" : "NORMAL")
                        .verdict(gan.startsWith("high") ? "The low-accuracy users' data is inverted" : null).build());
            }
            send(producer, TOPICS.rounds(), RoundCompleted.builder().experimentId("other").gan("low_accuracy").round(1)
                    .epsilon(1).epsilonOriginal(1).delta(1e-3).generator(ref).critic(ref).build());
            // As the services' Kafka connector writes a dead letter: the original value, the reason in a header.
            // A client's update (not shown: it names the client and its delta) and the request itself (shown).
            ProducerRecord<String, String> dead = new ProducerRecord<>(TOPICS.deadLetter(), "w1",
                    "{\"schema\": 1, \"experiment_id\": \"w1\", \"gan\": \"low_accuracy\", \"client_id\": \"w07\"}");
            dead.headers().add("dead-letter-reason", ("aggregator: update of w07 rejected: s3://fedgan/experiments/"
                    + "w1.low_accuracy/deltas/round-00000/w07-0123456789abcdef.delta: corrupt").getBytes(StandardCharsets.UTF_8));
            dead.headers().add("dead-letter-topic", TOPICS.clientUpdates().getBytes(StandardCharsets.UTF_8));
            producer.send(dead).get();
            ProducerRecord<String, String> refused = new ProducerRecord<>(TOPICS.deadLetter(), "w1",
                    "{\"schema\": 1, \"experiment_id\": \"w1\"}");
            refused.headers().add("dead-letter-reason", "filter: data is missing".getBytes(StandardCharsets.UTF_8));
            refused.headers().add("dead-letter-topic", TOPICS.experiments().getBytes(StandardCharsets.UTF_8));
            producer.send(refused).get();
        }
        FedganCliTest.Run r = FedganCliTest.run("watch", "w1", "--bootstrap", kafka.bootstrapServers(), "--timeout", "60", "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertEquals("The low-accuracy users' data is inverted", j.get("verdict").asText());
        assertEquals(2, j.get("gans").size());
        assertEquals(200.0, j.get("gans").get(0).get("epsilon").asDouble());
        assertEquals("INVERTED", j.get("gans").get(0).get("polarity").asText());
        assertEquals(7, j.get("gans").get(0).get("population_size").asInt());
        assertTrue(r.err().contains("low_accuracy   population of noisy size N^ = 7"), r.err());
        assertFalse(r.err().contains("m31") || r.out().contains("m31"), "no member id: " + r.err() + r.out());
        assertTrue(r.err().contains("low_accuracy   round    2  G loss 0.500  ε 200.0  finished: round limit 2 reached"),
                r.err());
        assertEquals(List.of("filter: data is missing"), Json.MAPPER.convertValue(j.get("dead_letters"), List.class),
                "the request's own dead letter only");
        assertTrue(r.err().contains("dead letter from filter (" + TOPICS.experiments() + "): data is missing"), r.err());
        assertFalse(r.out().contains("w07") || r.err().contains("w07"), "a client named:\n" + r.out() + r.err());
        assertFalse(r.out().contains("0123456789abcdef") || r.err().contains("0123456789abcdef"), "a delta named");

        FedganCliTest.Run none = FedganCliTest.run("watch", "never", "--bootstrap", kafka.bootstrapServers(), "--timeout", "2");
        assertEquals(1, none.status());
        assertTrue(none.err().startsWith("fedgan: error: experiment never did not finish within 2 s"), none.err());
    }

    private static void send(KafkaProducer<String, String> producer, String topic, Message m) throws Exception {
        producer.send(new ProducerRecord<>(topic, m.experimentId(), Messages.encode(m))).get();
    }

    private static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private static ConsumerRecord<String, String> first(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    return r;
                }
            }
        }
        throw new AssertionError("nothing on " + topic);
    }
}

package dev.fedgan.clientupdate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.gan.ClientGroupTraining;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.ClientUpdate;
import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.NetworkWeights;
import dev.fedgan.core.gan.SimulatedClients;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RoundTask;
import dev.fedgan.service.Endpoints;
import dev.fedgan.service.Records;
import dev.fedgan.service.StackResource;
import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.modelstore.ModelStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The whole service: Quarkus + SmallRye Kafka + ND4J (fedgan-core) + MinIO client, against a real KRaft broker and S3 server. */
@QuarkusTest
@WithTestResource(StackResource.class)
class ClientUpdateServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TestHTTPResource("/q/health/ready")
    URL ready;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @Inject
    ModelStore models;

    static final GanSettings SETTINGS = GanSettings.builder().preset("tiny").clientsPerRound(3).criticSteps(2).seed(5L)
            .build();

    String task(int round, String client, ObjectRef generator, ObjectRef critic) {
        return Messages.encode(RoundTask.builder().experimentId("e1").gan("low_accuracy").round(round).clientId(client)
                .generator(generator).critic(critic).clientSeed(99).settings(SETTINGS).data("bundled:field")
                .invertProbability(0.5).bugSeed(7).build());
    }

    @Test
    void trainsTheClientsCriticDeadLettersBadTasksAndKeepsGoing() throws Exception {
        NetworkWeights generator = GanNetworks.initialGenerator(GanPreset.TINY, 1);
        NetworkWeights critic = GanNetworks.initialCritic(GanPreset.TINY, 2);
        ObjectRef g = models.putWeights("e1.low_accuracy", "generator", 0, generator);
        ObjectRef d = models.putWeights("e1.low_accuracy", "critic", 0, critic);
        try (KafkaProducer<String, String> producer = producer();
             KafkaConsumer<String, String> updates = consumer(StackResource.TOPICS.clientUpdates());
             KafkaConsumer<String, String> dead = consumer(StackResource.TOPICS.deadLetter())) {

            // 1. A task: the delta in the store is exactly what the core computes for this client in one JVM.
            send(producer, task(0, "w07", g, d));
            ClientUpdateReady first = Messages.decode(next(updates).value(), ClientUpdateReady.class);
            assertEquals("w07", first.clientId());
            assertEquals(0, first.round());
            float[] delta = models.getDelta(first.delta(), (int) critic.length());
            ClientUpdate expected = core("w07", 0, generator, critic);
            assertArrayEquals(expected.delta(), delta, "the service's delta is the core's");
            assertEquals(expected.steps(), first.steps());
            assertEquals(expected.realExamples(), first.realExamples());
            assertTrue(first.delta().key().startsWith("experiments/e1.low_accuracy/deltas/round-00000/w07-"), first.delta().key());

            // 2. Malformed JSON, an unknown schema version and missing objects go to the dead-letter topic with the reason.
            String malformed = "{\"schema\":1,\"experiment_id\":\"e1\",";
            send(producer, malformed);
            ConsumerRecord<String, String> dl1 = next(dead);
            assertEquals(malformed, dl1.value());
            assertTrue(Records.header(dl1, "dead-letter-reason").contains("malformed JSON"), Records.header(dl1, "dead-letter-reason"));
            assertEquals(StackResource.TOPICS.roundTasks(), Records.header(dl1, "dead-letter-topic"));
            send(producer, task(0, "w08", g, d).replace("\"schema\":1", "\"schema\":2"));
            String reason2 = Records.header(next(dead), "dead-letter-reason");
            assertTrue(reason2.contains("unknown schema version 2"), reason2);
            ObjectRef gone = new ObjectRef(g.bucket(), g.key().replace("generator", "nothing"), g.size(), g.sha256());
            send(producer, task(0, "w09", gone, d));
            String reason3 = Records.header(next(dead), "dead-letter-reason");
            assertTrue(reason3.contains("nothing") && reason3.contains("no such object"), reason3);
            ObjectRef goneCritic = new ObjectRef(d.bucket(), d.key().replace("critic", "nothing"), d.size(), d.sha256());
            send(producer, task(0, "w10", g, goneCritic)); // fetched on another thread: the same reason
            String reason4 = Records.header(next(dead), "dead-letter-reason");
            assertTrue(reason4.contains(goneCritic.key()) && reason4.contains("no such object"), reason4);

            // 3. The service keeps consuming: the next good task is answered.
            send(producer, task(1, "w01", g, d));
            ClientUpdateReady second = Messages.decode(next(updates).value(), ClientUpdateReady.class);
            assertEquals("w01", second.clientId());
            assertEquals(1, second.round());

            // 4. Tasks arriving together: each delta is stored while the next task trains; every one is answered with
            //    the core's delta, announced keyed by experiment, and acknowledged (the group's committed offset
            //    reaches the end of the topic, so a restarted replica would not redo them).
            List<String> clients = List.of("w02", "w03", "w04");
            for (String c : clients) {
                send(producer, task(2, c, g, d));
            }
            Map<String, ConsumerRecord<String, String>> answers = new TreeMap<>();
            for (int k = 0; k < clients.size(); k++) {
                ConsumerRecord<String, String> r = next(updates);
                answers.put(Messages.decode(r.value(), ClientUpdateReady.class).clientId(), r);
            }
            assertEquals(clients, List.copyOf(answers.keySet()));
            for (String c : clients) {
                ConsumerRecord<String, String> r = answers.get(c);
                assertEquals("e1", r.key(), "client-updates are keyed by experiment");
                ClientUpdateReady u = Messages.decode(r.value(), ClientUpdateReady.class);
                ClientUpdate core = core(c, 2, generator, critic);
                assertArrayEquals(core.delta(), models.getDelta(u.delta(), (int) critic.length()), c + "'s delta");
            }
            assertAllTasksAcknowledged();
        }

        // 5. Health and metrics: the metrics (released) say nothing about the tasks, which are the sampled clients'.
        HttpResponse<String> health = Endpoints.get(ready);
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(health.body().contains("\"UP\"") && health.body().contains("\"nd4j\""), health.body());
        String prom = Endpoints.get(metrics).body();
        assertEquals(0.0, Endpoints.sample(prom,
                "fedgan_dead_letters_total{reason=\"message\",service=\"client-update\"}"),
                "four tasks dead-lettered, none counted: each is one client's");
        assertFalse(prom.contains("reason=\"missing\""), prom);
        for (String name : List.of("fedgan_client_tasks", "fedgan_client_step", "fedgan_object_bytes",
                "kafka_consumer", "kafka_producer", "round-tasks", "client-updates")) {
            assertFalse(prom.contains(name), name + " exported:\n" + prom);
        }
        for (String client : List.of("w01", "w02", "w03", "w04", "w07", "w08", "w09", "w10")) {
            assertFalse(prom.contains(client), client + " in the metrics:\n" + prom);
        }
    }

    /** Waits until the service's consumer group has committed every round-tasks record (acked or dead-lettered). */
    private void assertAllTasksAcknowledged() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("fedgan-client-update")
                        .partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
                var ends = admin.listOffsets(latest).all().get();
                boolean done = !committed.isEmpty() && committed.entrySet().stream()
                        .allMatch(e -> e.getValue().offset() == ends.get(e.getKey()).offset());
                if (done) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("round-tasks not all acknowledged: committed " + committed + ", ends " + ends);
                }
                Thread.sleep(250);
            }
        }
    }

    private void send(KafkaProducer<String, String> producer, String value) throws Exception {
        producer.send(new ProducerRecord<>(StackResource.TOPICS.roundTasks(), "w", value)).get();
    }

    private final Records records = new Records(WAIT);

    private ConsumerRecord<String, String> next(KafkaConsumer<String, String> consumer) {
        return records.next(consumer);
    }

    private KafkaProducer<String, String> producer() {
        return StackResource.producer(bootstrap);
    }

    private KafkaConsumer<String, String> consumer(String topic) {
        return StackResource.consumer(bootstrap, List.of(topic));
    }

    /**
     * What the core computes in one JVM for a task of client {@code client} (seed 99) alone: the tiny critic's clients
     * train in groups ({@link ClientGroupTraining}), a task of one client as a group of one.
     */
    static ClientUpdate core(String client, int round, NetworkWeights generator, NetworkWeights critic) {
        GanTrainingConfig config = GanSettingsMapping.config(SETTINGS);
        return new ClientGroupTraining(config).train(List.of(client),
                round, generator, critic, List.of(SimulatedClients.client("bundled:field", new InversionBug(0.5, 7),
                        client)), new long[] {99}).get(0);
    }
}

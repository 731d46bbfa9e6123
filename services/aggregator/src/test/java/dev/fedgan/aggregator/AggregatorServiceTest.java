package dev.fedgan.aggregator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.gan.FederatedGanTraining;
import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.NetworkWeights;
import dev.fedgan.core.gan.SimulatedClients;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.Message;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.protocol.RoundTask;
import dev.fedgan.service.Endpoints;
import dev.fedgan.service.Records;
import dev.fedgan.service.StackResource;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The aggregator against a real broker and S3 server, with this test playing the client-update pods: it answers
 * every round task with the core's client step, sends one update twice, and checks that the rounds the service
 * announces are exactly those of the one-JVM run (same seeded sampling and noise), with ε from the accountant.
 */
@QuarkusTest
@WithTestResource(StackResource.class)
class AggregatorServiceTest {

    static final List<String> CLIENTS = List.of("w00", "w01", "w02", "w03", "w04", "w05");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ModelStore models;

    /** This test plays the client-update pods. */
    ClientPods clients;

    @Inject
    AggregatorService service;

    @Inject
    ObjectStore objects;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    /**
     * Two experiments at once over the same clients (different seeds), one update sent twice and the population
     * message sent twice: each experiment's rounds are exactly its own one-JVM run's, and each has its own
     * accountant.
     */
    @Test
    void runsTwoExperimentsConcurrentlyEachAsItsOneJvmRun() throws Exception {
        clients = new ClientPods(models);
        Map<String, Long> seeds = Map.of("agg1", 11L, "agg2", 12L);
        Map<String, List<RoundCompleted>> completed = new HashMap<>();
        try (KafkaProducer<String, String> producer = producer();
             KafkaConsumer<String, String> consumer = consumer(List.of(StackResource.TOPICS.roundTasks(),
                     StackResource.TOPICS.rounds()))) {
            for (var e : seeds.entrySet()) {
                PopulationReady population = population(e.getKey(), settings(2, e.getValue()));
                send(producer, StackResource.TOPICS.populations(), population);
                send(producer, StackResource.TOPICS.populations(), population); // redelivered: trained once
                completed.put(e.getKey(), new ArrayList<>());
            }
            boolean[] duplicated = {false};
            play(producer, consumer, completed, task -> {
                ClientUpdateReady update = clients.run(task);
                send(producer, StackResource.TOPICS.clientUpdates(), update);
                if (!duplicated[0]) {
                    send(producer, StackResource.TOPICS.clientUpdates(), update); // counted once
                    duplicated[0] = true;
                }
            });
        }
        for (var e : seeds.entrySet()) {
            List<RoundCompleted> c = completed.get(e.getKey());
            assertEquals(List.of(1, 2), c.stream().map(RoundCompleted::round).toList(), e.getKey());
            assertFalse(c.get(0).finished());
            assertEquals("round limit 2 reached", c.get(1).stoppedBecause());
            assertEquals(2, c.get(1).received());
            assertSameAsOneJvmRun(c.get(1), settings(2, e.getValue()), 2);
            double expected = PrivacyCalculator.forPopulation(6, 2, 0.01, 2).epsilonImproved();
            assertEquals(expected, c.get(1).epsilon(), 1e-9 * expected, "each experiment's own accountant");
            assertTrue(c.get(0).epsilon() < c.get(1).epsilon());
        }
        // Retention: once a round is checkpointed its clients' deltas are deleted; so is a late update's.
        ObjectRef late = models.putDelta("agg1.low_accuracy", 0, "w00", new float[] {1, 2, 3});
        try (KafkaProducer<String, String> producer = producer()) {
            send(producer, StackResource.TOPICS.clientUpdates(), new ClientUpdateReady(Messages.SCHEMA, "agg1",
                    "low_accuracy", 0, "w00", late, 1, 1, false, 0.0));
        }
        for (String experiment : seeds.keySet()) {
            awaitNoDeltas(experiment + ".low_accuracy");
        }
        String prom = Endpoints.get(metrics).body();
        assertTrue(Endpoints.sample(prom, "fedgan_deltas_deleted_total") >= 9, "2 rounds of 2 clients each, and the"
                + " late one: " + prom);
        double eps = completed.get("agg1").get(1).epsilon();
        assertEquals(eps, Endpoints.sample(prom, "fedgan_epsilon{experiment=\"agg1\",gan=\"low_accuracy\"}"), 1e-9 * eps, prom);
        assertEquals(2.0, Endpoints.sample(prom, "fedgan_rounds{experiment=\"agg2\",gan=\"low_accuracy\"}"));
        assertEquals(0.0, Endpoints.sample(prom, "fedgan_run_active{experiment=\"agg2\",gan=\"low_accuracy\"}"),
                "a finished run is no longer active (the round alerts skip it)");
        assertTrue(Endpoints.sample(prom, "fedgan_object_bytes_total{direction=\"written\"}") > 0, prom);
        assertTrue(Endpoints.sample(prom, "fedgan_updates_total{outcome=\"received\"}") >= 8, prom);
    }

    /**
     * The aggregator loses its memory in the middle of round 2 (the tasks are out, no update is in) and resumes from
     * the object store: round 1 is announced again (the same message), round 2 is redrawn and the run ends exactly as
     * the uninterrupted one-JVM run, so no round was lost or applied twice.
     */
    @Test
    void aRestartedAggregatorResumesFromItsLastCheckpoint() throws Exception {
        clients = new ClientPods(models);
        GanSettings settings = settings(3, 21L);
        List<RoundCompleted> announced = new ArrayList<>();
        Map<String, List<RoundCompleted>> completed = Map.of("restart", announced);
        try (KafkaProducer<String, String> producer = producer();
             KafkaConsumer<String, String> consumer = consumer(List.of(StackResource.TOPICS.roundTasks(),
                     StackResource.TOPICS.rounds()))) {
            send(producer, StackResource.TOPICS.populations(), population("restart", settings));
            boolean[] crashed = {false};
            play(producer, consumer, completed, task -> {
                if (task.round() == 1 && !crashed[0]) {
                    crashed[0] = true;
                    service.forgetAll();     // the process dies: everything in memory is gone
                    service.resumeRunning(); // a new process starts
                }
                send(producer, StackResource.TOPICS.clientUpdates(), clients.run(task));
            });
        }
        assertEquals(List.of(1, 1, 2, 3), announced.stream().map(RoundCompleted::round).toList());
        assertEquals(announced.get(0), announced.get(1), "the last round before the restart is announced again");
        assertSameAsOneJvmRun(announced.get(3), settings, 3);
        double expected = PrivacyCalculator.forPopulation(6, 2, 0.01, 3).epsilonImproved();
        assertEquals(expected, announced.get(3).epsilon(), 1e-9 * expected, "three rounds accounted, not four");
        // The per-round log the report links to: one row per round, as fedgan debug writes it.
        String csv = new String(objects.get("experiments/restart/files/gans/low_accuracy/rounds.csv"), StandardCharsets.UTF_8);
        assertTrue(csv.startsWith("round,seconds,critic_loss,generator_loss,epsilon,"), csv);
        assertEquals(List.of("1", "2", "3"), csv.lines().skip(1).map(l -> l.substring(0, l.indexOf(','))).toList(), csv);
        awaitNoDeltas("restart.low_accuracy"); // the lost round's late answers too
    }

    /**
     * Bad updates go to the dead-letter topic with the reason, and the service goes on: malformed JSON, an update
     * for an unknown experiment, and a delta with NaN (counted as rejected: the round completes without it).
     */
    @Test
    void badUpdatesAreDeadLetteredAndTheRoundGoesOn() throws Exception {
        clients = new ClientPods(models);
        List<RoundCompleted> done = new ArrayList<>();
        List<ConsumerRecord<String, String>> dead = new ArrayList<>();
        try (KafkaProducer<String, String> producer = producer();
             KafkaConsumer<String, String> consumer = consumer(List.of(StackResource.TOPICS.roundTasks(),
                     StackResource.TOPICS.rounds(), StackResource.TOPICS.deadLetter()))) {
            producer.send(new ProducerRecord<>(StackResource.TOPICS.clientUpdates(), "x", "{not json")).get();
            send(producer, StackResource.TOPICS.populations(), population("bad", settings(1, 31L)));
            boolean[] poisoned = {false};
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (done.isEmpty() || dead.size() < 3) {
                if (System.nanoTime() > deadline) {
                    fail("rounds " + done + ", dead letters " + dead.size());
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(StackResource.TOPICS.deadLetter())) {
                        dead.add(r);
                    } else if (r.topic().equals(StackResource.TOPICS.rounds())) {
                        RoundCompleted c = Messages.decode(r.value(), RoundCompleted.class);
                        if (c.experimentId().equals("bad")) {
                            done.add(c);
                        }
                    } else {
                        RoundTask task = Messages.decode(r.value(), RoundTask.class);
                        if (!task.experimentId().equals("bad")) {
                            continue;
                        }
                        ClientUpdateReady u = clients.run(task);
                        if (!poisoned[0]) {
                            poisoned[0] = true;
                            float[] nan = new float[Math.toIntExact(GanNetworks.criticLayout(
                                    GanSettingsMapping.config(settings(1, 31L)).preset()).length())];
                            nan[3] = Float.NaN;
                            u = new ClientUpdateReady(1, u.experimentId(), u.gan(), u.round(), u.clientId(),
                                    models.putDelta("bad.low_accuracy", u.round(), u.clientId(), nan), u.realExamples(),
                                    u.steps(), false, u.loss());
                            send(producer, StackResource.TOPICS.clientUpdates(), new ClientUpdateReady(1, "nobody",
                                    u.gan(), 0, "w00", u.delta(), 1, 1, false, 0.0));
                        }
                        send(producer, StackResource.TOPICS.clientUpdates(), u);
                    }
                }
            }
        }
        List<String> reasons = dead.stream().map(r -> Records.header(r, "dead-letter-reason")).toList();
        assertTrue(reasons.stream().anyMatch(r -> r.startsWith("aggregator: malformed JSON")), reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.startsWith("aggregator: ") && r.contains("unknown experiment nobody")),
                reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.contains("1 NaN or infinite values")), reasons.toString());
        assertEquals(1, done.get(0).received());
        assertEquals(1, done.get(0).rejected());
        String prom = Endpoints.get(metrics).body();
        assertTrue(Endpoints.sample(prom, "fedgan_dead_letters_total{reason=\"message\",service=\"aggregator\"}") >= 2, prom);
        assertTrue(Endpoints.sample(prom, "fedgan_dead_letters_total{reason=\"invalid\",service=\"aggregator\"}") >= 1, prom);
    }

    /** Waits up to 20 s for the run's deltas to be deleted (the aggregator deletes them in the background). */
    private void awaitNoDeltas(String namespace) throws InterruptedException {
        String prefix = ExperimentLayout.deltas(namespace);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!objects.list(prefix).isEmpty()) {
            if (System.nanoTime() > deadline) {
                fail("client deltas still stored after their rounds: " + objects.list(prefix));
            }
            Thread.sleep(100);
        }
    }

    interface Answer {
        void task(RoundTask task) throws Exception;
    }

    /** Plays the client pods: answers the experiments' round tasks until each experiment's last round is announced. */
    private void play(KafkaProducer<String, String> producer, KafkaConsumer<String, String> consumer,
            Map<String, List<RoundCompleted>> completed, Answer answer) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (!completed.values().stream().allMatch(c -> !c.isEmpty() && c.get(c.size() - 1).finished())) {
            if (System.nanoTime() > deadline) {
                fail("rounds not completed in time: " + completed);
            }
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.topic().equals(StackResource.TOPICS.rounds())) {
                    RoundCompleted c = Messages.decode(r.value(), RoundCompleted.class);
                    if (completed.containsKey(c.experimentId())) {
                        completed.get(c.experimentId()).add(c);
                    }
                    continue;
                }
                RoundTask task = Messages.decode(r.value(), RoundTask.class);
                assertEquals(task.clientId(), r.key(), "round tasks are keyed by client");
                if (completed.containsKey(task.experimentId())) {
                    answer.task(task);
                }
            }
        }
    }

    /** The same experiment in one JVM, seeded alike, gives the same critic and generator. */
    private void assertSameAsOneJvmRun(RoundCompleted last, GanSettings settings, int rounds) {
        GanTrainingConfig config = GanSettingsMapping.config(settings);
        List<WriterData> data = CLIENTS.stream().map(c -> SimulatedClients.client("bundled:field", new InversionBug(0.5, 7), c)).toList();
        FederatedGanTraining local = FederatedGanTraining.start(config, data, null, settings.seededPrivacyNoise());
        for (int r = 0; r < rounds; r++) {
            local.runRound();
        }
        NetworkWeights critic = models.getWeights(last.critic(), GanNetworks.criticLayout(config.preset()));
        NetworkWeights generator = models.getWeights(last.generator(), GanNetworks.generatorLayout(config.preset()));
        assertArrayEquals(local.critic().flatten(), critic.flatten(), 1e-6f, last.experimentId());
        assertArrayEquals(local.generator().flatten(), generator.flatten(), 1e-6f, last.experimentId());
    }

    private static GanSettings settings(int rounds, long seed) {
        return new GanSettings("tiny", rounds, 2, 2, 1, null, null, null, null, null, null, 5L, null, null, seed);
    }

    private static PopulationReady population(String id, GanSettings settings) {
        ExperimentRequest request = new ExperimentRequest(1, id, "bundled:field", null, null, 0.5, 7, null, null,
                settings, null, null, null);
        return new PopulationReady(1, id, "low_accuracy", CLIENTS, new ObjectRef("fedgan", "none", 0, "0".repeat(64)),
                null, request);
    }

    @Test
    void aRoundWithoutQuorumIsResampledAndOneWithQuorumCompletesAtItsDeadline() throws Exception {
        clients = new ClientPods(models);
        // Quorum 100%: the first sample gets one answer of two, is abandoned at the 2 s deadline and resampled.
        // Quorum 50%: one answer of two is enough; the round completes at the deadline with m = 2 as denominator.
        for (double quorum : new double[] {1.0, 0.5}) {
            String id = quorum == 1.0 ? "strict" : "lenient";
            ExperimentRequest request = new ExperimentRequest(1, id, "bundled:field", null, null, 0.5, 7, null, null,
                    new GanSettings("tiny", 1, 2, 1, 1, null, null, null, null, null, null, 5L, null, null, 11L), 2, quorum, null);
            RoundCompleted done = null;
            int tasks = 0;
            try (KafkaProducer<String, String> producer = producer();
                 KafkaConsumer<String, String> consumer = consumer(List.of(StackResource.TOPICS.roundTasks(),
                         StackResource.TOPICS.rounds()))) {
                send(producer, StackResource.TOPICS.populations(), new PopulationReady(1, id, "low_accuracy", CLIENTS,
                        new ObjectRef("fedgan", "none", 0, "0".repeat(64)), null, request));
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (done == null) {
                    if (System.nanoTime() > deadline) {
                        fail(id + ": no round completed; tasks seen " + tasks);
                    }
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        if (r.topic().equals(StackResource.TOPICS.rounds())) {
                            RoundCompleted c = Messages.decode(r.value(), RoundCompleted.class);
                            if (c.experimentId().equals(id)) {
                                done = c;
                            }
                            continue;
                        }
                        RoundTask task = Messages.decode(r.value(), RoundTask.class);
                        if (!task.experimentId().equals(id)) {
                            continue;
                        }
                        tasks++;
                        // The second task never answers: for the strict experiment that abandons the first sample
                        // (the resample's two tasks are answered); the lenient one completes without it.
                        if (tasks != 2) {
                            send(producer, StackResource.TOPICS.clientUpdates(), clients.run(task));
                        }
                    }
                }
            }
            if (quorum == 1.0) {
                assertEquals(4, tasks, "two samples of two clients: the first abandoned");
                assertEquals(2, done.received());
            } else {
                assertEquals(2, tasks);
                assertEquals(1, done.received(), "completed at the deadline with the quorum");
                assertEquals(2, done.clients().size());
            }
            assertEquals(1, done.round());
            double expected = PrivacyCalculator.forPopulation(6, 2, 0.01, 1).epsilonImproved();
            assertEquals(expected, done.epsilon(), 1e-9 * expected, "an abandoned sample costs no privacy");
        }
    }

    private void send(KafkaProducer<String, String> producer, String topic, Message m) throws Exception {
        producer.send(new ProducerRecord<>(topic, m.experimentId(), Messages.encode(m))).get();
    }

    private KafkaProducer<String, String> producer() {
        return StackResource.producer(bootstrap);
    }

    private KafkaConsumer<String, String> consumer(List<String> topics) {
        return StackResource.consumer(bootstrap, topics);
    }
}

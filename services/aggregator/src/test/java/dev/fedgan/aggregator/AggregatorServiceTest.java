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
import dev.fedgan.storage.GanSettingsMapping;
import dev.fedgan.service.StackResource;
import dev.fedgan.storage.ModelStore;
import dev.fedgan.storage.RemoteClientStep;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    static final GanSettings SETTINGS = new GanSettings("tiny", 2, 2, 2, 1, null, null, null, null, null, null, 5L,
            null, null, 11L);
    static final List<String> CLIENTS = List.of("w00", "w01", "w02", "w03", "w04", "w05");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ModelStore models;

    /** This test plays the client-update pods. */
    RemoteClientStep clients;

    @Test
    void runsTheRoundsOfTheOneJvmTrainingOverKafkaAndS3() throws Exception {
        clients = new RemoteClientStep(models);
        ExperimentRequest request = new ExperimentRequest(1, "agg1", "bundled:field", null, null, 0.5, 7, null, null,
                SETTINGS, null, null, null);
        List<RoundCompleted> completed = new ArrayList<>();
        try (KafkaProducer<String, String> producer = producer();
             KafkaConsumer<String, String> consumer = consumer(List.of(StackResource.TOPICS.roundTasks(),
                     StackResource.TOPICS.rounds()))) {
            PopulationReady population = new PopulationReady(1, "agg1", "low_accuracy", CLIENTS,
                    new ObjectRef("fedgan", "none", 0, "0".repeat(64)), null, request);
            send(producer, StackResource.TOPICS.populations(), population);
            send(producer, StackResource.TOPICS.populations(), population); // redelivered: trained once
            boolean duplicated = false;
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (completed.size() < 2 || !completed.get(completed.size() - 1).finished()) {
                if (System.nanoTime() > deadline) {
                    fail("rounds not completed in time: " + completed);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(StackResource.TOPICS.rounds())) {
                        completed.add(Messages.decode(r.value(), RoundCompleted.class));
                        continue;
                    }
                    RoundTask task = Messages.decode(r.value(), RoundTask.class);
                    assertEquals(task.clientId(), r.key(), "round tasks are keyed by client");
                    ClientUpdateReady update = clients.run(task);
                    send(producer, StackResource.TOPICS.clientUpdates(), update);
                    if (!duplicated) {
                        send(producer, StackResource.TOPICS.clientUpdates(), update); // counted once
                        duplicated = true;
                    }
                }
            }
        }
        assertEquals(List.of(1, 2), completed.stream().map(RoundCompleted::round).toList());
        assertFalse(completed.get(0).finished());
        assertEquals("round limit 2 reached", completed.get(1).stoppedBecause());
        assertEquals(2, completed.get(1).received());

        // The same experiment in one JVM, seeded alike, gives the same critic and generator.
        GanTrainingConfig config = GanSettingsMapping.config(SETTINGS);
        List<WriterData> data = CLIENTS.stream().map(c -> SimulatedClients.client("bundled:field", new InversionBug(0.5, 7), c)).toList();
        FederatedGanTraining local = FederatedGanTraining.start(config, data, null, 11L);
        local.runRound();
        local.runRound();
        NetworkWeights critic = models.getWeights(completed.get(1).critic(), GanNetworks.criticLayout(config.preset()));
        NetworkWeights generator = models.getWeights(completed.get(1).generator(), GanNetworks.generatorLayout(config.preset()));
        assertArrayEquals(local.critic().flatten(), critic.flatten(), 1e-6f);
        assertArrayEquals(local.generator().flatten(), generator.flatten(), 1e-6f);
        double expected = PrivacyCalculator.forPopulation(6, 2, config.noiseMultiplier(), 2).epsilonImproved();
        assertEquals(expected, completed.get(1).epsilon(), 1e-9 * expected);
        assertTrue(completed.get(0).epsilon() < completed.get(1).epsilon());
    }

    @Test
    void aRoundWithoutQuorumIsResampledAndOneWithQuorumCompletesAtItsDeadline() throws Exception {
        clients = new RemoteClientStep(models);
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

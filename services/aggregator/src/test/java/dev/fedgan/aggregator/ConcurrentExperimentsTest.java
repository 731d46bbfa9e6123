package dev.fedgan.aggregator;

import static dev.fedgan.aggregator.AggregatorHarness.population;
import static dev.fedgan.aggregator.AggregatorHarness.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.service.Endpoints;
import dev.fedgan.service.StackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * Two experiments at once against a real broker and S3 server, with the test playing the client-update pods: the
 * rounds each announces are exactly those of its one-JVM run (same seeded sampling and noise), with ε from its own
 * accountant; then their client deltas are deleted, and the metrics say nothing about the samples.
 */
@QuarkusTest
@WithTestResource(StackResource.class)
class ConcurrentExperimentsTest {

    @Inject
    AggregatorHarness stack;

    @Inject
    ModelStore models;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    /**
     * Two experiments at once over the same clients (different seeds), one update sent twice and the population
     * message sent twice: each experiment's rounds are exactly its own one-JVM run's, and each has its own
     * accountant. Once a round is checkpointed its clients' deltas are deleted; so is a late update's.
     */
    @Test
    void runsTwoExperimentsConcurrentlyEachAsItsOneJvmRun() throws Exception {
        ClientPods clients = stack.clients();
        Map<String, Long> seeds = Map.of("agg1", 11L, "agg2", 12L);
        Map<String, List<RoundCompleted>> completed = new HashMap<>();
        Map<String, List<List<String>>> tasked = new HashMap<>(); // per experiment and round, the clients given a task
        try (KafkaProducer<String, String> producer = stack.producer();
             KafkaConsumer<String, String> consumer = stack.consumer()) {
            for (var e : seeds.entrySet()) {
                PopulationReady population = population(e.getKey(), settings(2, e.getValue()));
                stack.send(producer, StackResource.TOPICS.populations(), population);
                stack.send(producer, StackResource.TOPICS.populations(), population); // redelivered: trained once
                completed.put(e.getKey(), new ArrayList<>());
                tasked.put(e.getKey(), new ArrayList<>(List.of(new ArrayList<>(), new ArrayList<>())));
            }
            boolean[] duplicated = {false};
            stack.play(consumer, completed, task -> {
                tasked.get(task.experimentId()).get(task.round()).add(task.clientId());
                ClientUpdateReady update = clients.run(task);
                stack.sendUpdate(producer, task, update);
                if (!duplicated[0]) {
                    stack.sendUpdate(producer, task, update); // counted once
                    duplicated[0] = true;
                }
            });
        }
        for (var e : seeds.entrySet()) {
            List<List<String>> samples = AggregatorHarness.samples(settings(2, e.getValue()), 2);
            List<RoundCompleted> c = completed.get(e.getKey());
            assertEquals(List.of(1, 2), c.stream().map(RoundCompleted::round).toList(), e.getKey());
            assertFalse(c.get(0).finished());
            assertEquals("round limit 2 reached", c.get(1).stoppedBecause());
            assertEquals(samples, tasked.get(e.getKey()), "Poisson draws of the seeded stream");
            RunRecord.Outcome outcome = stack.lastOutcome(e.getKey() + ".low_accuracy");
            assertEquals(List.of(2, samples.get(1).size(), samples.get(1).size(), 0), List.of(outcome.round(),
                    outcome.sampled(), outcome.received(), outcome.rejected()), "every sampled client answered, once");
            stack.assertSameAsOneJvmRun(c.get(1), settings(2, e.getValue()), 2);
            double expected = PrivacyCalculator.forPopulation(6, 2, 0.01, 2).epsilonImproved();
            assertEquals(expected, c.get(1).epsilon(), 1e-9 * expected, "each experiment's own accountant");
            assertTrue(c.get(0).epsilon() < c.get(1).epsilon());
        }
        // Retention: once a round is checkpointed its clients' deltas are deleted; so is a late update's.
        ObjectRef late = models.putDelta("agg1.low_accuracy", 0, "w00", new float[] {1, 2, 3});
        try (KafkaProducer<String, String> producer = stack.producer()) {
            stack.send(producer, StackResource.TOPICS.clientUpdates(), ClientUpdateReady.builder()
                    .experimentId("agg1").gan("low_accuracy").round(0).clientId("w00").delta(late)
                    .realExamples(1).steps(1).nonFinite(false).loss(0.0).build());
        }
        for (String experiment : seeds.keySet()) {
            stack.awaitNoDeltas(experiment + ".low_accuracy");
        }
        String prom = Endpoints.get(metrics).body();
        double eps = completed.get("agg1").get(1).epsilon();
        assertEquals(eps, Endpoints.sample(prom, "fedgan_epsilon{experiment=\"agg1\",gan=\"low_accuracy\"}"), 1e-9 * eps, prom);
        assertEquals(2.0, Endpoints.sample(prom, "fedgan_rounds{experiment=\"agg2\",gan=\"low_accuracy\"}"));
        assertEquals(0.0, Endpoints.sample(prom, "fedgan_run_active{experiment=\"agg2\",gan=\"low_accuracy\"}"),
                "a finished run is no longer active (the round alerts skip it)");
        // Released: no metric depends on the rounds' samples (who, how many, how long) or names a client.
        for (String name : List.of("fedgan_updates", "fedgan_critic_loss", "fedgan_rounds_abandoned",
                "fedgan_deltas_deleted", "fedgan_object_bytes", "fedgan_round_duration", "fedgan_round_last_completed",
                "kafka_consumer", "kafka_producer", "round-tasks", "client-updates")) {
            assertFalse(prom.contains(name), name + " exported:\n" + prom);
        }
        for (String client : AggregatorHarness.CLIENTS) {
            assertFalse(prom.contains(client), client + " in the metrics:\n" + prom);
        }
    }
}

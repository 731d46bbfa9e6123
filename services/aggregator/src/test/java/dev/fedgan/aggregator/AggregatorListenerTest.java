package dev.fedgan.aggregator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.gan.GanRunFiles;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.service.StackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * The aggregator's channels against a real broker and S3 server, the test playing the client-update pods: a
 * population in, its rounds opened on the shards' partitions of {@code client-updates} (three here) before their
 * tasks go out keyed by client, each task naming its update's partition, the updates summed by partition into shares
 * and the rounds announced, the result equal to the one-JVM run; nothing released names a client or a delta.
 */
@QuarkusTest
@WithTestResource(StackResource.class)
class AggregatorListenerTest {

    @Inject
    AggregatorHarness harness;

    @Test
    void aPopulationsRoundsRunThroughTheShardsAndEndAsInOneJvm() throws Exception {
        GanSettings settings = AggregatorHarness.settings(3, 1);
        List<List<String>> samples = AggregatorHarness.samples(settings, 3);
        assertEquals(List.of(), samples.get(1), "seed 1 samples nobody in round 2 (Poisson, q = 1/3): " + samples);
        ClientPods clients = harness.clients();
        Set<String> answered = new HashSet<>();
        Map<Integer, Set<Integer>> partitionsByRound = new HashMap<>();
        List<ObjectRef> deltas = new ArrayList<>();
        List<String> released = new ArrayList<>();
        Map<String, List<RoundCompleted>> completed = Map.of("mem1", new ArrayList<>());
        try (KafkaProducer<String, String> producer = harness.producer();
             KafkaConsumer<String, String> consumer = harness.consumer()) {
            harness.send(producer, StackResource.TOPICS.populations(), AggregatorHarness.population("mem1", settings));
            harness.play(consumer, completed, task -> {
                assertTrue(task.updatePartition() != null && task.updatePartition() < AggregatorHarness.SHARDS,
                        "the task names its update's partition: " + task.updatePartition());
                partitionsByRound.computeIfAbsent(task.round(), r -> new HashSet<>()).add(task.updatePartition());
                if (answered.add(task.round() + "/" + task.clientId())) {
                    ClientUpdateReady update = clients.run(task);
                    deltas.add(update.delta());
                    harness.sendUpdate(producer, task, update);
                }
            });
            for (ConsumerRecord<String, String> r : harness.all(StackResource.TOPICS.rounds())) {
                released.add(r.value());
            }
        }
        List<RoundCompleted> announced = completed.get("mem1");
        assertEquals(List.of(1, 2, 3), announced.stream().map(RoundCompleted::round).toList());
        Set<String> sampled = new HashSet<>();
        for (int r = 0; r < samples.size(); r++) {
            for (String c : samples.get(r)) {
                sampled.add(r + "/" + c);
            }
        }
        assertEquals(sampled, answered, "a task for each client sampled, none for the empty round");
        assertEquals(Math.min(AggregatorHarness.SHARDS, samples.get(0).size()), partitionsByRound.get(0).size(),
                "round 1's clients spread over the partitions: " + partitionsByRound);
        double expected = PrivacyCalculator.forPopulation(6, 2, 0.01, 2).epsilonImproved();
        assertEquals(expected, announced.get(1).epsilon(), 1e-9 * expected, "the round with no client is accounted");
        harness.assertSameAsOneJvmRun(announced.get(2), settings, 3);

        // Released: the announcements and rounds.csv name no client of the population and no delta (key or hash).
        assertFalse(deltas.isEmpty());
        released.add(new String(harness.objects.get(ExperimentLayout.file("mem1",
                "gans/low_accuracy/" + GanRunFiles.ROUNDS_CSV)), StandardCharsets.UTF_8));
        for (String text : released) {
            for (String client : AggregatorHarness.CLIENTS) {
                assertFalse(text.contains(client), "client id " + client + " released: " + text);
            }
            for (ObjectRef delta : deltas) {
                assertFalse(text.contains(delta.sha256().substring(0, 16)), "a delta's hash released: " + text);
                assertFalse(text.contains(delta.key().substring(delta.key().lastIndexOf('/') + 1)),
                        "a delta's name released: " + text);
            }
        }
        harness.awaitNoDeltas("mem1.low_accuracy");
        assertTrue(harness.objects.list(ExperimentLayout.shares("mem1.low_accuracy")).isEmpty(),
                "the shares go with their rounds' deltas");
    }
}

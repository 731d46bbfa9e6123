package dev.fedgan.aggregator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fedgan.core.gan.GanRunFiles;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.protocol.RoundTask;
import dev.fedgan.service.InMemoryRecords;
import dev.fedgan.service.S3Resource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

/**
 * The aggregator's channels on SmallRye's in-memory connector (no broker) over a real S3 server: a population in,
 * its rounds' tasks out keyed by client, the clients' updates in, the rounds announced, the result equal to the
 * one-JVM run; records it cannot use are refused with the reason the dead-letter header carries.
 */
@QuarkusTest
@TestProfile(AggregatorListenerTest.InMemoryChannels.class)
@WithTestResource(S3Resource.class)
class AggregatorListenerTest {

    /** Every channel in memory. Set as profile config, not through InMemoryConnector's helpers (system properties). */
    public static class InMemoryChannels implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.messaging.incoming.populations.connector", InMemoryConnector.CONNECTOR,
                    "mp.messaging.incoming.client-updates.connector", InMemoryConnector.CONNECTOR,
                    "mp.messaging.outgoing.round-tasks.connector", InMemoryConnector.CONNECTOR,
                    "mp.messaging.outgoing.rounds.connector", InMemoryConnector.CONNECTOR);
        }
    }

    @Inject
    @Any
    InMemoryConnector connector;

    @Inject
    AggregatorHarness harness;

    @Test
    void aPopulationsRoundsRunThroughTheChannelsAndEndAsInOneJvm() throws Exception {
        GanSettings settings = AggregatorHarness.settings(3, 1);
        List<List<String>> samples = AggregatorHarness.samples(settings, 3);
        assertEquals(List.of(), samples.get(1), "seed 1 samples nobody in round 2 (Poisson, q = 1/3): " + samples);
        assertNull(InMemoryRecords.refusalOf(connector, "populations",
                Messages.encode(AggregatorHarness.population("mem1", settings))), "the population is taken");
        ClientPods clients = harness.clients();
        Set<String> answered = new HashSet<>();
        List<ObjectRef> deltas = new ArrayList<>();
        List<? extends Message<String>> announced = connector.<String>sink("rounds").received();
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (announced.isEmpty() || !decode(announced.get(announced.size() - 1)).finished()) {
            if (System.nanoTime() > deadline) {
                fail("rounds not completed in time: " + announced.size() + " announced");
            }
            for (Message<String> m : List.copyOf(connector.<String>sink("round-tasks").received())) {
                RoundTask task = Messages.decode(m.getPayload(), RoundTask.class);
                assertEquals(task.clientId(), m.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow().getKey(),
                        "round tasks are keyed by client");
                if (answered.add(task.round() + "/" + task.clientId())) {
                    ClientUpdateReady update = clients.run(task);
                    deltas.add(update.delta());
                    assertNull(InMemoryRecords.refusalOf(connector, "client-updates", Messages.encode(update)),
                            "an update in the sample is taken");
                }
            }
            Thread.sleep(50);
            announced = connector.<String>sink("rounds").received();
        }
        assertEquals(List.of(1, 2, 3), announced.stream().map(m -> decode(m).round()).toList());
        Set<String> sampled = new HashSet<>();
        for (int r = 0; r < samples.size(); r++) {
            for (String c : samples.get(r)) {
                sampled.add(r + "/" + c);
            }
        }
        assertEquals(sampled, answered, "a task for each client sampled, none for the empty round");
        RoundCompleted empty = decode(announced.get(1));
        double expected = PrivacyCalculator.forPopulation(6, 2, 0.01, 2).epsilonImproved();
        assertEquals(expected, empty.epsilon(), 1e-9 * expected, "the round with no client is accounted");
        harness.assertSameAsOneJvmRun(decode(announced.get(2)), settings, 3);

        // Released: the announcements and rounds.csv name no client of the population and no delta (key or hash).
        assertFalse(deltas.isEmpty());
        List<String> released = new ArrayList<>(announced.stream().map(Message::getPayload).toList());
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
    }

    @Test
    void aMalformedUpdateIsRefusedWithTheReason() throws Exception {
        Throwable refusal = InMemoryRecords.refusalOf(connector, "client-updates", "{\"schema\":1,");
        assertTrue(refusal != null && refusal.getMessage().startsWith("aggregator: ")
                && refusal.getMessage().contains("malformed JSON"), String.valueOf(refusal));
    }

    @Test
    void anUpdateOfAnExperimentItIsNotTrainingIsRefusedNamingIt() throws Exception {
        String update = Messages.encode(ClientUpdateReady.builder().experimentId("ghost").gan("low_accuracy")
                .round(0).clientId("w01").delta(new ObjectRef("fedgan", "k", 1, "0".repeat(64))).realExamples(1)
                .steps(1).nonFinite(false).loss(0.5).build());
        Throwable refusal = InMemoryRecords.refusalOf(connector, "client-updates", update);
        assertFalse(refusal == null, "refused");
        assertTrue(refusal.getMessage().contains("ghost.low_accuracy"), refusal.getMessage());
    }

    private static RoundCompleted decode(Message<String> m) {
        return Messages.decode(m.getPayload(), RoundCompleted.class);
    }
}

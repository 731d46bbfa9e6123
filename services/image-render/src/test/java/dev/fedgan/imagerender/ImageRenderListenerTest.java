package dev.fedgan.imagerender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.service.InMemoryRecords;
import dev.fedgan.service.S3Resource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * image-render's channels on SmallRye's in-memory connector (no broker) over a real S3 server: a round announced
 * before its population is kept in the store and acknowledged; a record it cannot read is refused with the reason the
 * dead-letter header carries. Drawing and the report are the round-trip tests' ({@code RendersAsTheCoreTest}).
 */
@QuarkusTest
@TestProfile(ImageRenderListenerTest.InMemoryChannels.class)
@WithTestResource(S3Resource.class)
class ImageRenderListenerTest {

    /** Every channel in memory. Set as profile config, not through InMemoryConnector's helpers (system properties). */
    public static class InMemoryChannels implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.messaging.incoming.populations.connector", InMemoryConnector.CONNECTOR,
                    "mp.messaging.incoming.rounds.connector", InMemoryConnector.CONNECTOR,
                    "mp.messaging.outgoing.images.connector", InMemoryConnector.CONNECTOR,
                    "mp.messaging.outgoing.render-dead-letter.connector", InMemoryConnector.CONNECTOR);
        }
    }

    @Inject
    @Any
    InMemoryConnector connector;

    @Inject
    ObjectStore objects;

    @Inject
    ModelStore models;

    @Test
    void aRoundAnnouncedBeforeItsPopulationIsKeptAndAcknowledged() throws Exception {
        ObjectRef generator = models.putWeights("p1.low_accuracy", "generator", 3,
                GanNetworks.initialGenerator(GanPreset.TINY, 1));
        String round = Messages.encode(RoundCompleted.builder().experimentId("p1").gan("low_accuracy").round(3)
                .epsilon(0.5).epsilonOriginal(0.6).delta(1e-5).generator(generator).critic(generator).build());
        assertNull(InMemoryRecords.refusalOf(connector, "rounds", round), "kept, not refused");
        String parked = ExperimentLayout.parkedRound("p1", "low_accuracy", 3);
        assertEquals(round, new String(objects.get(parked), StandardCharsets.UTF_8));
        assertEquals(0, connector.sink("images").received().size(), "nothing drawn without the population");
    }

    /** A round whose weights are not stored as its own is not kept: anyone could announce one. */
    @Test
    void aRoundOfAnUnknownExperimentWithoutItsWeightsIsRefused() throws Exception {
        ObjectRef foreign = models.putWeights("other.low_accuracy", "generator", 1,
                GanNetworks.initialGenerator(GanPreset.TINY, 1));
        ObjectRef missing = new ObjectRef("fedgan", "experiments/p3.low_accuracy/generator/round-00001-0.zip", 1,
                "0".repeat(64));
        RoundCompleted.Builder b = RoundCompleted.builder().experimentId("p3").gan("low_accuracy").round(1)
                .epsilon(0.5).epsilonOriginal(0.6).delta(1e-5);
        Throwable notItsOwn = InMemoryRecords.refusalOf(connector, "rounds",
                Messages.encode(b.generator(foreign).critic(foreign).build()));
        assertTrue(notItsOwn != null && notItsOwn.getMessage().contains("not the generator of p3/low_accuracy round 1"),
                String.valueOf(notItsOwn));
        Throwable absent = InMemoryRecords.refusalOf(connector, "rounds",
                Messages.encode(b.generator(missing).critic(missing).build()));
        assertTrue(absent != null && absent.getMessage().contains("no such object"), String.valueOf(absent));
        assertFalse(objects.exists(ExperimentLayout.parkedRound("p3", "low_accuracy", 1)), "nothing kept");
    }

    @Test
    void aMalformedRoundIsRefusedWithTheReason() throws Exception {
        Throwable refusal = InMemoryRecords.refusalOf(connector, "rounds", "{\"schema\":1,\"experiment_id\":");
        assertTrue(refusal != null && refusal.getMessage().startsWith("image-render: ")
                && refusal.getMessage().contains("malformed JSON"), String.valueOf(refusal));
    }

    @Test
    void aPopulationOfAnotherSchemaIsRefusedNamingTheVersion() throws Exception {
        Throwable refusal = InMemoryRecords.refusalOf(connector, "populations", "{\"schema\":9,\"experiment_id\":\"p2\"}");
        assertTrue(refusal != null && refusal.getMessage().contains("unknown schema version 9"),
                String.valueOf(refusal));
    }
}

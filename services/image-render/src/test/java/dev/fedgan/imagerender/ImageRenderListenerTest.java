package dev.fedgan.imagerender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.modelstore.ExperimentLayout;
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

    @Test
    void aRoundAnnouncedBeforeItsPopulationIsKeptAndAcknowledged() throws Exception {
        ObjectRef none = new ObjectRef("fedgan", "experiments/p1.low_accuracy/generator/x.zip", 1, "0".repeat(64));
        String round = Messages.encode(RoundCompleted.builder().experimentId("p1").gan("low_accuracy").round(3)
                .epsilon(0.5).epsilonOriginal(0.6).delta(1e-5).generator(none).critic(none).build());
        assertNull(InMemoryRecords.refusalOf(connector, "rounds", round), "kept, not refused");
        String parked = ExperimentLayout.parkedRound("p1", "low_accuracy", 3);
        assertEquals(round, new String(objects.get(parked), StandardCharsets.UTF_8));
        assertEquals(0, connector.sink("images").received().size(), "nothing drawn without the population");
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

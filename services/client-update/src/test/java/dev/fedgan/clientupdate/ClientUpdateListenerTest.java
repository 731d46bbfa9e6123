package dev.fedgan.clientupdate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.NetworkWeights;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RoundTask;
import dev.fedgan.service.InMemoryRecords;
import dev.fedgan.service.S3Resource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The listener's contract without a broker: the service's channels on SmallRye's in-memory connector, a real S3
 * server. A task is acknowledged only once its update is announced (keyed by experiment); a task it cannot process is
 * nacked with the reason, which the Kafka connector's dead-letter strategy turns into the dead letter's header.
 */
@QuarkusTest
@TestProfile(ClientUpdateListenerTest.InMemoryChannels.class)
@WithTestResource(S3Resource.class)
class ClientUpdateListenerTest {

    /** Both channels in memory. Set as profile config, not through InMemoryConnector's helpers (system properties). */
    public static class InMemoryChannels implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.messaging.incoming.round-tasks.connector", InMemoryConnector.CONNECTOR,
                    "mp.messaging.outgoing.client-updates.connector", InMemoryConnector.CONNECTOR);
        }
    }

    @Inject
    @Any
    InMemoryConnector connector;

    @Inject
    ModelStore models;

    private final NetworkWeights generator = GanNetworks.initialGenerator(GanPreset.TINY, 1);
    private final NetworkWeights critic = GanNetworks.initialCritic(GanPreset.TINY, 2);
    private ObjectRef g;
    private ObjectRef d;

    @BeforeEach
    void storeTheBroadcast() {
        connector.sink("client-updates").clear();
        g = models.putWeights("m1.low_accuracy", "generator", 0, generator);
        d = models.putWeights("m1.low_accuracy", "critic", 0, critic);
    }

    private String task(String client, ObjectRef generatorRef, ObjectRef criticRef) {
        return Messages.encode(new RoundTask(1, "m1", "low_accuracy", 0, client, generatorRef, criticRef, 99,
                ClientUpdateServiceTest.SETTINGS, "bundled:field", 0.5, 7, null));
    }

    @Test
    void aTaskIsAnsweredWithTheCoresDeltaKeyedByExperimentThenAcknowledged() throws Exception {
        assertNull(InMemoryRecords.refusalOf(connector, "round-tasks", task("w05", g, d)), "acknowledged");

        InMemorySink<String> updates = connector.sink("client-updates");
        assertEquals(1, updates.received().size(), "one announcement, before the task was acknowledged");
        Message<String> m = updates.received().get(0);
        assertEquals("m1", m.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow().getKey(),
                "client-updates are keyed by experiment");
        ClientUpdateReady u = Messages.decode(m.getPayload(), ClientUpdateReady.class);
        assertEquals("w05", u.clientId());
        float[] expected = ClientUpdateServiceTest.core("w05", 0, generator, critic).delta();
        assertArrayEquals(expected, models.getDelta(u.delta(), (int) critic.length()));
    }

    @Test
    void malformedJsonIsRefusedWithTheReasonAndAnnouncesNothing() throws Exception {
        Throwable refusal = InMemoryRecords.refusalOf(connector, "round-tasks", "{\"schema\":1,\"experiment_id\":");
        assertTrue(refusal != null && refusal.getMessage().startsWith("client-update: ")
                && refusal.getMessage().contains("malformed JSON"), String.valueOf(refusal));
        assertEquals(0, connector.sink("client-updates").received().size());
    }

    @Test
    void aTaskNamingAMissingCriticIsRefusedNamingTheObject() throws Exception {
        ObjectRef gone = new ObjectRef(d.bucket(), d.key().replace("critic", "nothing"), d.size(), d.sha256());
        Throwable refusal = InMemoryRecords.refusalOf(connector, "round-tasks", task("w06", g, gone));
        assertTrue(refusal != null && refusal.getMessage().contains(gone.key())
                && refusal.getMessage().contains("no such object"), String.valueOf(refusal));
        assertNull(connector.sink("client-updates").received().stream().findAny().orElse(null));
    }
}

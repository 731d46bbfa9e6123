package dev.fedgan.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.service.InMemoryRecords;
import dev.fedgan.service.S3Resource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The filter's channels on SmallRye's in-memory connector (no broker) over a real S3 server: a request it cannot
 * process is refused before any work, with the reason the dead-letter header carries, and announces nothing. The
 * accepted path (classifier, measurement, populations) is {@code FilterServiceTest}'s, over a real broker.
 */
@QuarkusTest
@TestProfile(FilterListenerTest.InMemoryChannels.class)
@WithTestResource(S3Resource.class)
class FilterListenerTest {

    /** Both channels in memory. Set as profile config, not through InMemoryConnector's helpers (system properties). */
    public static class InMemoryChannels implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.messaging.incoming.experiments.connector", InMemoryConnector.CONNECTOR,
                    "mp.messaging.outgoing.populations.connector", InMemoryConnector.CONNECTOR);
        }
    }

    @Inject
    @Any
    InMemoryConnector connector;

    @Test
    void malformedJsonIsRefusedWithTheReason() throws Exception {
        Throwable refusal = InMemoryRecords.refusalOf(connector, "experiments", "{\"schema\":1,\"experiment_id\":\"f1\",");
        assertTrue(refusal != null && refusal.getMessage().startsWith("filter: ")
                && refusal.getMessage().contains("malformed JSON"), String.valueOf(refusal));
        assertEquals(0, connector.sink("populations").received().size());
    }

    @Test
    void anAbsurdFieldIsRefusedNamingItBeforeAnyWork() throws Exception {
        Throwable refusal = InMemoryRecords.refusalOf(connector, "experiments",
                "{\"schema\":1,\"experiment_id\":\"f2\",\"data\":\"bundled:field\","
                + "\"invert_probability\":1.5,\"bug_seed\":7}");
        assertTrue(refusal != null && refusal.getMessage().contains("invert_probability"), String.valueOf(refusal));
        assertEquals(0, connector.sink("populations").received().size());
    }
}

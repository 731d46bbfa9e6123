package dev.fedgan.service;

import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * A record sent on a service's incoming channel through SmallRye's in-memory connector, as a broker would deliver
 * it, and how the service settled it: acknowledged, or refused with the cause the Kafka connector's dead-letter
 * strategy would put in the {@code dead-letter-reason} header. Shared with the services as this module's test jar.
 */
public final class InMemoryRecords {

    private InMemoryRecords() {
    }

    /**
     * Sends {@code json} on {@code channel} and waits up to 120 s for the service to settle it: null if it was
     * acknowledged, else why it was refused.
     */
    public static Throwable refusalOf(InMemoryConnector connector, String channel, String json) throws Exception {
        CompletableFuture<Throwable> settled = new CompletableFuture<>();
        connector.<Message<String>>source(channel).send(Message.of(json)
                .withAck(() -> {
                    settled.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(t -> {
                    settled.complete(t);
                    return CompletableFuture.completedFuture(null);
                }));
        return settled.get(120, TimeUnit.SECONDS);
    }
}

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

    /** Sends {@code json} on {@code channel}; completes with null once it is acknowledged, or with the refusal. */
    public static CompletableFuture<Throwable> send(InMemoryConnector connector, String channel, String json) {
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
        return settled;
    }

    /** {@link #send} and wait up to 120 s: null if it was acknowledged, else why it was refused. */
    public static Throwable refusalOf(InMemoryConnector connector, String channel, String json) throws Exception {
        return send(connector, channel, json).get(120, TimeUnit.SECONDS);
    }
}

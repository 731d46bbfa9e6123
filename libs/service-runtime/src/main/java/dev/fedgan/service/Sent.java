package dev.fedgan.service;

import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/** Sending a keyed record through an emitter and knowing when the broker has it. */
public final class Sent {

    private Sent() {
    }

    /** Sends {@code value} keyed by {@code key}; the future completes when the broker acknowledges it, or fails. */
    public static CompletableFuture<Void> keyed(Emitter<String> emitter, String key, String value) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        emitter.send(KafkaRecord.of(key, value)
                .withAck(() -> {
                    done.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(t -> {
                    done.completeExceptionally(t);
                    return CompletableFuture.completedFuture(null);
                }));
        return done;
    }
}

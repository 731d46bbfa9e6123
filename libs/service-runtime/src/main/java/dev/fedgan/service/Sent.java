package dev.fedgan.service;

import dev.fedgan.protocol.Messages;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.OutgoingKafkaRecord;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/** Sending a keyed record through an emitter and knowing when the broker has it. */
public final class Sent {

    private Sent() {
    }

    /** Sends {@code value} keyed by {@code key}; the future completes when the broker acknowledges it, or fails. */
    public static CompletableFuture<Void> keyed(Emitter<String> emitter, String key, String value) {
        return keyed(emitter, key, value, -1);
    }

    /**
     * Sends {@code value} keyed by {@code key} to partition {@code partition} of the channel's topic (-1: the one
     * the key hashes to); the future completes when the broker acknowledges it, or fails.
     */
    public static CompletableFuture<Void> keyed(Emitter<String> emitter, String key, String value, int partition) {
        return keyed(emitter, key, value, partition, null);
    }

    /**
     * Sends {@code value} keyed by {@code key} to partition {@code partition} of the channel's topic (-1: the one
     * the key hashes to), with header {@link Messages#TYPE_HEADER} set to {@code type} (null: none), for a topic that
     * carries several kinds of message; the future completes when the broker acknowledges it, or fails.
     */
    public static CompletableFuture<Void> keyed(Emitter<String> emitter, String key, String value, int partition,
            String type) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        OutgoingKafkaRecord<String, String> record = KafkaRecord.of(key, value).with(null, key, value, null, partition);
        if (type != null) {
            record = record.withHeader(Messages.TYPE_HEADER, type);
        }
        emitter.send(record
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

    /**
     * Sends {@code value} keyed by {@code key} and waits until the broker has it.
     *
     * @param what the record in words, for the error ("point task 3 of sweep s1")
     * @throws IllegalStateException if the broker refused it, did not answer within {@code timeoutSeconds}, or the
     *                               thread was interrupted (its interrupt flag set again)
     */
    public static void keyedAndWait(Emitter<String> emitter, String key, String value, long timeoutSeconds,
                                    String what) {
        try {
            keyed(emitter, key, value).get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(what + " not sent: " + e.getMessage(), e);
        }
    }
}

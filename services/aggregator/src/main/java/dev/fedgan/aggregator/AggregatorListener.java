package dev.fedgan.aggregator;

import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.protocol.RoundClosing;
import dev.fedgan.protocol.RoundOpened;
import dev.fedgan.protocol.ShareReady;
import dev.fedgan.protocol.Topics;
import dev.fedgan.service.DeadLetters;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * The aggregator's Kafka consumers. As a round owner: each {@code populations} and {@code round-shares} record (one
 * consumer for both) to the {@link AggregatorService}. As a shard: each {@code client-updates} record (a client's
 * update, or an owner's {@link RoundOpened} or {@link RoundClosing}, told apart by {@link Messages#TYPE_HEADER}) to
 * the {@link AggregatorShards}, which acknowledge it when its share is sent. A record that cannot be decoded or used
 * goes to the dead-letter topic with the reason ({@link DeadLetters}), and consuming goes on.
 */
@ApplicationScoped
public class AggregatorListener {

    private static final String SHARES_TOPIC = Topics.withPrefix(Topics.DEFAULT_PREFIX).roundShares();
    private static final String OPENED = Messages.type(RoundOpened.class);
    private static final String CLOSING = Messages.type(RoundClosing.class);

    private final AggregatorService service;
    private final AggregatorShards shards;
    private final DeadLetters deadLetters;

    public AggregatorListener(AggregatorService service, AggregatorShards shards, DeadLetters deadLetters) {
        this.service = service;
        this.shards = shards;
        this.deadLetters = deadLetters;
    }

    @Incoming("populations")
    @Blocking
    public void onOwnerRecord(ConsumerRecord<String, String> record) {
        boolean share = record.topic().equals(SHARES_TOPIC);
        try {
            if (share) {
                service.share(Messages.decode(record.value(), ShareReady.class));
            } else {
                service.population(Messages.decode(record.value(), PopulationReady.class));
            }
        } catch (RuntimeException e) {
            throw deadLetters.reject(share ? "round-shares" : "populations", e);
        }
    }

    @Incoming("client-updates")
    @Blocking
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> onShardRecord(Message<String> message) {
        IncomingKafkaRecordMetadata<?, ?> meta = message.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
        int partition = meta.getPartition();
        Header header = meta.getHeaders().lastHeader(Messages.TYPE_HEADER);
        String type = header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        try {
            if (OPENED.equals(type)) {
                shards.opened(partition, Messages.decode(message.getPayload(), RoundOpened.class), message);
            } else if (CLOSING.equals(type)) {
                shards.closing(partition, Messages.decode(message.getPayload(), RoundClosing.class), message);
            } else {
                shards.update(partition, Messages.decode(message.getPayload(), ClientUpdateReady.class), message,
                        e -> message.nack(deadLetters.reject("client-updates", e)));
            }
        } catch (RuntimeException e) {
            return message.nack(deadLetters.reject("client-updates", e));
        }
        return CompletableFuture.completedFuture(null);
    }
}

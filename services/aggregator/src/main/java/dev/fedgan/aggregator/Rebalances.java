package dev.fedgan.aggregator;

import dev.fedgan.protocol.Topics;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * What Kafka's rebalances mean to the aggregator: which runs it owns ({@code populations}' partitions) and which
 * shards it sums ({@code client-updates}' partitions). Called on the consumers' polling threads.
 */
final class Rebalances {

    private static final Logger LOG = Logger.getLogger(Rebalances.class);
    private static final String POPULATIONS = Topics.withPrefix(Topics.DEFAULT_PREFIX).populations();

    private Rebalances() {
    }

    private static Set<Integer> partitions(Collection<TopicPartition> partitions, String topic) {
        Set<Integer> out = new TreeSet<>();
        for (TopicPartition p : partitions) {
            if (p.topic().equals(topic)) {
                out.add(p.partition());
            }
        }
        return out;
    }

    /**
     * The round owner's consumer ({@code populations} and {@code round-shares}): on revocation this replica owns no
     * run until the new assignment (another replica may resume them meanwhile); on assignment it owns the runs of the
     * partitions of {@code populations} it was given.
     */
    @ApplicationScoped
    @Identifier("fedgan-round-owner")
    static class RoundOwner implements KafkaConsumerRebalanceListener {

        private final AggregatorService service;

        RoundOwner(AggregatorService service) {
            this.service = service;
        }

        @Override
        public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> assigned) {
            Set<Integer> owned = partitions(assigned, POPULATIONS);
            int count = consumer.partitionsFor(POPULATIONS).size();
            LOG.infof("owning the runs of partitions %s of %s (%d partitions)", owned, POPULATIONS, count);
            service.assigned(owned, count);
        }

        @Override
        public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> revoked) {
            if (!partitions(revoked, POPULATIONS).isEmpty()) {
                service.assigned(Set.of(), 0);
            }
        }

        @Override
        public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> lost) {
            onPartitionsRevoked(consumer, lost);
        }
    }

    /**
     * The shards' consumer ({@code client-updates}): the partitions given are summed here; partitions taken away
     * drop their open shares.
     */
    @ApplicationScoped
    @Identifier("fedgan-shards")
    static class Shards implements KafkaConsumerRebalanceListener {

        private final AggregatorShards shards;

        Shards(AggregatorShards shards) {
            this.shards = shards;
        }

        @Override
        public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> assigned) {
            Set<Integer> given = new TreeSet<>();
            assigned.forEach(p -> given.add(p.partition()));
            shards.assigned(given);
        }

        @Override
        public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> revoked) {
            Set<Integer> moved = new TreeSet<>();
            revoked.forEach(p -> moved.add(p.partition()));
            shards.revoked(moved);
        }

        @Override
        public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> lost) {
            onPartitionsRevoked(consumer, lost);
        }
    }
}

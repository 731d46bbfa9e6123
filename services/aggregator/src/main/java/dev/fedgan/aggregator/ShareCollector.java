package dev.fedgan.aggregator;

import dev.fedgan.core.gan.RoundShare;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.RoundClosing;
import dev.fedgan.protocol.RoundOpened;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of an aggregator shard: for each partition of {@code client-updates} it holds, the share it is summing of
 * each run's round in progress, as the partition's records arrive. It only decides; the shard reads and adds the
 * deltas, stores and sends the shares, and acknowledges the records ({@link AggregatorShards}).
 *
 * <ul>
 * <li>A {@link RoundOpened} starts a share of its plan: the updates of exactly its clients count. It replaces an
 * unsent share of the same run on the partition: that plan was redrawn, and its share will never be asked for.</li>
 * <li>An update counts if a share is open for its run on its partition, for its round, its client is in the plan and
 * has not answered yet. Else it is late, unexpected (no share of its run open here: its round may be over) or a
 * duplicate (Kafka may deliver a record twice), and counts nothing.</li>
 * <li>The share is complete when every client of the plan has answered (added, or rejected as unusable), or when a
 * {@link RoundClosing} of its plan arrives (the owner's deadline): then it holds exactly the updates before that
 * record in the partition, whichever replica reads it.</li>
 * <li>The records a share counted (its plan, its updates, its closing) are held unacknowledged until it is sent, so
 * that a shard that dies before sending leaves them to Kafka, which delivers them again to the partition's next
 * holder; that holder rebuilds the same share. A record that counted nothing is acknowledged at once.</li>
 * <li>A partition taken away ({@link #revoked}) drops its shares without acknowledging their records, for the same
 * reason.</li>
 * </ul>
 * Not thread-safe: the shard calls it under its lock.
 *
 * @param <R> the record handle to acknowledge
 */
final class ShareCollector<R> {

    /** A share being summed: one round's plan on one partition, its updates so far and the records it holds. */
    static final class Share<R> {
        final int partition;
        final RoundOpened plan;
        final String namespace;
        final RoundShare sum;
        /** The plan's clients, for lookups (the plan lists them). */
        private final Set<String> planned;
        private final Set<String> waiting;
        private final List<R> held = new ArrayList<>();
        private int rejected;
        private int late;

        private Share(int partition, RoundOpened plan) {
            this.partition = partition;
            this.plan = plan;
            this.namespace = ExperimentLayout.namespace(plan.experimentId(), plan.gan());
            this.sum = RoundShare.of(plan.round(), plan.criticLength(), plan.clipNorm());
            this.planned = new HashSet<>(plan.clients());
            this.waiting = new HashSet<>(planned);
        }

        /** Updates of the plan's clients whose deltas could not be used. */
        int rejected() {
            return rejected;
        }

        /** Updates on this share's partition for its run that did not count. */
        int late() {
            return late;
        }

        boolean complete() {
            return waiting.isEmpty();
        }
    }

    /** What to do with an arriving update. */
    enum Arrival {
        /** Its partition is no longer held here (a record still in flight after a rebalance): leave it alone. */
        NOT_HELD,
        /** No share of its run is open on its partition: acknowledge it, it counts nothing (its round may be over). */
        UNEXPECTED,
        /**
         * A share of its run is open on its partition, of another round or plan without its client: acknowledge it;
         * no round will use it.
         */
        LATE,
        /** Its client already answered this share: acknowledge it, it counts nothing. */
        DUPLICATE,
        /** Read its delta, add it to the share's sum (or not, if unusable), then call {@link #answered}. */
        EXPECTED
    }

    /** Open shares by namespace and partition. */
    private final Map<String, Share<R>> open = new HashMap<>();
    /** The partitions held here. */
    private final Set<Integer> held = new HashSet<>();

    private static String key(String namespace, int partition) {
        return namespace + "#" + partition;
    }

    /**
     * Opens the plan's share on {@code partition}, holding {@code record}; nothing if the partition is no longer
     * held here.
     *
     * @return the records of the share it replaces (a redrawn plan's, never to be sent), to acknowledge now; none if
     *         it replaces a share of the same plan: the partition is being read again (after a rebalance), and
     *         the new share holds the same records
     */
    List<R> open(int partition, RoundOpened plan, R record) {
        if (!held.contains(partition)) {
            return List.of(); // a record in flight after a rebalance: the partition's next holder opens it
        }
        Share<R> share = new Share<>(partition, plan);
        share.held.add(record);
        Share<R> replaced = open.put(key(share.namespace, partition), share);
        return replaced == null || replaced.plan.plan().equals(plan.plan()) ? List.of() : replaced.held;
    }

    /** The share of {@code namespace} open on {@code partition}, or null. */
    Share<R> share(int partition, String namespace) {
        return open.get(key(namespace, partition));
    }

    /** Classifies an update arriving on {@code partition}. */
    Arrival arrive(int partition, ClientUpdateReady u) {
        if (!held.contains(partition)) {
            return Arrival.NOT_HELD;
        }
        Share<R> share = share(partition, ExperimentLayout.namespace(u.experimentId(), u.gan()));
        if (share == null) {
            return Arrival.UNEXPECTED;
        }
        if (u.round() != share.plan.round() || !share.planned.contains(u.clientId())) {
            share.late++;
            return Arrival.LATE;
        }
        if (!share.waiting.contains(u.clientId())) {
            return Arrival.DUPLICATE;
        }
        return Arrival.EXPECTED;
    }

    /**
     * The expected client has answered: its delta added (its record {@code record} is held until the share is
     * sent), or rejected as unusable ({@code record} null: the shard dead-letters it at once; a delivery again after
     * a crash rejects it again).
     *
     * @return whether its share is now complete (then send it)
     */
    boolean answered(Share<R> share, String clientId, R record) {
        share.waiting.remove(clientId);
        if (record != null) {
            share.held.add(record);
        } else {
            share.rejected++;
        }
        return share.complete();
    }

    /**
     * The owner's deadline for a plan: its share open on {@code partition}, now holding {@code record}, to send as it
     * is; or null if none is open (sent already, or another plan's): then acknowledge the record.
     */
    Share<R> closing(int partition, RoundClosing c, R record) {
        Share<R> share = share(partition, ExperimentLayout.namespace(c.experimentId(), c.gan()));
        if (share == null || share.plan.round() != c.round() || !share.plan.plan().equals(c.plan())) {
            return null;
        }
        share.held.add(record);
        return share;
    }

    /**
     * The share was stored and its announcement sent: forgets it.
     *
     * @return the records it held, to acknowledge now; none if it is no longer open (its partition was taken
     *         away, or a newer plan replaced it)
     */
    List<R> sent(Share<R> share) {
        return open.remove(key(share.namespace, share.partition), share) ? share.held : List.of();
    }

    /**
     * Partitions taken away from this shard: forgets their shares without acknowledging their records, which Kafka
     * delivers again to the partitions' next holders.
     *
     * @return how many shares were dropped
     */
    int revoked(Collection<Integer> partitions) {
        held.removeAll(partitions);
        int dropped = 0;
        for (Iterator<Share<R>> i = open.values().iterator(); i.hasNext(); ) {
            if (partitions.contains(i.next().partition)) {
                i.remove();
                dropped++;
            }
        }
        return dropped;
    }

    /** Partitions given to this shard. */
    void assigned(Collection<Integer> partitions) {
        held.addAll(partitions);
    }

    /** Shares open now. */
    int openShares() {
        return open.size();
    }
}

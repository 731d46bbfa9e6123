package dev.fedgan.aggregator;

import dev.fedgan.core.gan.ClientUpdate;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.StorageException;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RoundClosing;
import dev.fedgan.protocol.RoundOpened;
import dev.fedgan.protocol.ShareReady;
import dev.fedgan.service.Sent;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The aggregator as a shard: it sums the updates of the partitions of {@code client-updates} it holds into the
 * rounds' shares, by the rules of its {@link ShareCollector}, and sends each complete share to the round's owner:
 * stored under {@code experiments/<namespace>/shares/} (or, when the owner is this replica, held in memory:
 * {@link LocalShares}) and announced on {@code round-shares}, keyed by experiment.
 * Every replica is a shard; Kafka gives each the partitions it holds, and gives a dead replica's partitions, with
 * their unacknowledged records, to the others.
 *
 * <p>Per update it reads the delta (checked against its claim: size and SHA-256), refuses one of the wrong length or
 * with a NaN or infinite value (the client counts as answered with nothing, and the record goes to the dead-letter
 * topic with the reason), and clips and adds it exactly ({@code RoundShare}): the share does not depend on the
 * order of the updates, nor the round on how its clients were split into shares.
 *
 * <p>An update that no share expects is acknowledged; its delta is deleted when no round can use it: its run's share
 * on the partition is of another round or plan, or its run record says the round is over.
 *
 * <p>Records arrive one at a time in each partition's order (the channel is ordered); a rebalance may take
 * partitions away meanwhile, on Kafka's thread: hence the lock.
 */
@ApplicationScoped
public class AggregatorShards {

    private static final Logger LOG = Logger.getLogger(AggregatorShards.class);
    /** How long to wait between two attempts to send a share (S3 or Kafka down beyond their own retries). */
    static final long RETRY_MILLIS = 5_000;

    private final ModelStore models;
    private final RunRecords records;
    private final AggregatorService owner;
    private final LocalShares local;
    private final Emitter<String> shares;
    private final ShareCollector<Message<?>> collector = new ShareCollector<>();

    public AggregatorShards(ModelStore models, RunRecords records, AggregatorService owner, LocalShares local,
            @Channel("round-shares") Emitter<String> shares) {
        this.models = models;
        this.records = records;
        this.owner = owner;
        this.local = local;
        this.shares = shares;
    }

    /** A round's plan for {@code partition}: opens its share (held until sent). */
    void opened(int partition, RoundOpened plan, Message<?> record) {
        List<Message<?>> replaced;
        ShareCollector.Share<Message<?>> share;
        synchronized (collector) {
            replaced = collector.open(partition, plan, record);
            share = collector.share(partition, ExperimentLayout.namespace(plan.experimentId(), plan.gan()));
        }
        replaced.forEach(Message::ack);
        if (share == null) {
            record.ack(); // the partition moved away meanwhile: a no-op
            return;
        }
        if (share.complete()) { // a plan without clients: nothing to wait for
            send(share);
        }
    }

    /**
     * An update on {@code partition}: added to its share if expected (held until the share is sent), else
     * acknowledged. An unusable delta is thrown after its client is counted, for the dead-letter topic.
     *
     * @param dead what to do with the record of an unusable delta: dead-letter it with the reason
     */
    void update(int partition, ClientUpdateReady u, Message<?> record, Consumer<StorageException> dead) {
        String namespace = ExperimentLayout.namespace(u.experimentId(), u.gan());
        ShareCollector.Share<Message<?>> share;
        ShareCollector.Arrival arrival;
        synchronized (collector) {
            arrival = collector.arrive(partition, u);
            share = arrival == ShareCollector.Arrival.EXPECTED ? collector.share(partition, namespace) : null;
        }
        if (share == null) {
            if (arrival == ShareCollector.Arrival.LATE
                    || arrival == ShareCollector.Arrival.UNEXPECTED && roundOver(namespace, u.round())) {
                LOG.debugf("partition %d: update of %s for %s round %d is late: its delta is deleted", partition,
                        u.clientId(), namespace, u.round() + 1);
                deleteDelta(namespace, u);
            }
            record.ack(); // counts nothing
            return;
        }
        StorageException unusable = null;
        try {
            float[] delta = usableDelta(u.delta(), share.plan.criticLength());
            share.sum.add(new ClientUpdate(u.clientId(), u.round(), delta, u.realExamples(), u.steps(),
                    u.nonFinite(), u.loss())); // clipped and summed now
        } catch (StorageException e) {
            unusable = new StorageException(e.reason(), e.key(), share.namespace + " round " + (u.round() + 1)
                    + ": update of " + u.clientId() + " rejected: " + e.getMessage(), e);
        }
        boolean complete;
        synchronized (collector) {
            complete = collector.answered(share, u.clientId(), unusable == null ? record : null);
        }
        if (unusable != null) {
            dead.accept(unusable);
        }
        if (complete) {
            send(share);
        }
    }

    /** The owner's deadline for a plan on {@code partition}: its share goes as it is. */
    void closing(int partition, RoundClosing c, Message<?> record) {
        ShareCollector.Share<Message<?>> share;
        synchronized (collector) {
            share = collector.closing(partition, c, record);
        }
        if (share == null) {
            record.ack(); // its share went already, or a newer plan replaced it
            return;
        }
        LOG.infof("%s round %d: closing the share of partition %d", share.namespace, c.round() + 1, partition);
        send(share);
    }

    /** Partitions given to this replica. */
    void assigned(Collection<Integer> partitions) {
        synchronized (collector) {
            collector.assigned(partitions);
        }
    }

    /** Partitions taken away: their shares are dropped, their records left to the partitions' next holders. */
    void revoked(Collection<Integer> partitions) {
        int dropped;
        synchronized (collector) {
            dropped = collector.revoked(partitions);
        }
        if (dropped > 0) {
            LOG.infof("partitions %s of client-updates moved away: %d open shares left to their next holder",
                    partitions, dropped);
        }
    }

    /**
     * Stores the share and announces it, then acknowledges the records it held. Retried until it succeeds (S3 or
     * Kafka down beyond their own retries): nothing else on the partition may go on meanwhile, and the records stay
     * unacknowledged for the partition's next holder should this replica die.
     */
    private void send(ShareCollector.Share<Message<?>> share) {
        for (int attempt = 1; ; attempt++) {
            try {
                ObjectRef ref = null;
                if (owner.trains(share.namespace)) { // the owner is this replica: the share stays in memory
                    local.put(share.namespace, share.plan.plan(), share.partition, share.sum);
                } else {
                    ref = models.putShare(share.namespace, share.plan.plan(), share.partition, share.sum);
                }
                ShareReady ready = new ShareReady(Messages.SCHEMA, share.plan.experimentId(), share.plan.gan(),
                        share.plan.round(), share.plan.plan(), share.partition, ref, share.rejected(), share.late());
                Sent.keyed(shares, share.plan.experimentId(), Messages.encode(ready)).get();
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return; // shutting down: the records stay unacknowledged
            } catch (ExecutionException | RuntimeException e) {
                LOG.errorf("%s round %d: sending the share of partition %d failed (attempt %d), again in %d s: %s",
                        share.namespace, share.plan.round() + 1, share.partition, attempt, RETRY_MILLIS / 1000,
                        e.getMessage());
                try {
                    Thread.sleep(RETRY_MILLIS);
                } catch (InterruptedException i) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        List<Message<?>> held;
        synchronized (collector) {
            held = collector.sent(share);
        }
        held.forEach(Message::ack);
    }

    /**
     * Whether round {@code round} (0-based) of {@code namespace} is over by its run record: completed, or the run
     * finished. An update no share expects may belong to a round still in progress whose share this replica does not
     * hold (it moved here, and its plan comes again): its delta must stay for the share that will count it.
     */
    private boolean roundOver(String namespace, int round) {
        try {
            RunRecord r = records.find(namespace);
            return r != null && (r.finished() || r.lastOutcome() != null && r.lastOutcome().round() > round);
        } catch (RuntimeException e) {
            return false; // unknown: the round's deletion will take it
        }
    }

    /** Deletes a late update's delta: no round will use the unnoised update. */
    private void deleteDelta(String namespace, ClientUpdateReady u) {
        try {
            models.deleteDelta(namespace, u.delta());
        } catch (RuntimeException e) {
            LOG.warnf("the delta of a late update of %s could not be deleted: %s", u.clientId(), e.getMessage());
        }
    }

    /** The delta, read with the critic's length; NaN or infinite values make it unusable. */
    private float[] usableDelta(ObjectRef ref, int length) {
        float[] delta = models.getDelta(ref, length);
        int bad = 0;
        for (float v : delta) {
            bad += Float.isFinite(v) ? 0 : 1;
        }
        if (bad > 0) {
            throw new StorageException(StorageException.Reason.INVALID, ref.key(), ref.uri()
                    + ": the delta has " + bad + " NaN or infinite values");
        }
        return delta;
    }
}

package dev.fedgan.aggregator;

import dev.fedgan.core.gan.FederatedGanTraining.RoundPlan;
import dev.fedgan.protocol.ExperimentRequest;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * The rules of one GAN's round in progress at its owner, as the shards' shares arrive: which share counts, when the
 * round is complete, and what its deadline decides. The clients' updates are the shards' ({@link ShareCollector}):
 * each partition of {@code client-updates} that the round's clients answer on sends one share. It only decides; the
 * aggregator acts on its answers (adds the share, sends the closings, completes or abandons the round). Not
 * thread-safe: the aggregator holds the run's lock.
 *
 * <ul>
 * <li>A share counts only if it answers the round's current plan (a redrawn or abandoned plan has another id) on a
 * partition the plan opened, and only the first per partition: Kafka may deliver a record twice, and a partition
 * moved to another shard may be summed twice, identically.</li>
 * <li>The round is complete when every partition's share has arrived. Clients are sampled by Poisson draws, so the
 * sample's size varies around m; a round that sampled nobody never gets here: the aggregator completes it at
 * once.</li>
 * <li>At the deadline the owner asks the partitions whose share is missing to close ({@code RoundClosing}): each
 * sends what arrived before the closing. With DP the round then completes with them: a sampled client that did not
 * answer, or whose update was rejected, contributes zero, and the denominator stays m = qN. It is never abandoned
 * and redrawn: a rejected update depends on its client's data, so a redraw would make which sample is released
 * depend on one user, and the released samples would no longer be the independent Poisson draws the accountant
 * charges. Without DP, a round closed at its deadline below a quorum of the clients actually sampled (default 80%,
 * rounded up) of added updates is abandoned and a new sample drawn.</li>
 * </ul>
 */
final class RoundCollector {

    /** Round deadline when the request sets none, seconds. */
    static final int DEFAULT_DEADLINE_SECONDS = 600;
    /** Share of the sampled clients that must have answered at the deadline when the request sets none. */
    static final double DEFAULT_QUORUM = 0.8;

    /** What to do with an arriving share. */
    enum Arrival {
        /** No round in progress, or another round or plan than the current one's: ignore it. */
        OTHER_PLAN,
        /** A partition the plan did not open: ignore it. */
        NOT_OPENED,
        /** That partition's share arrived already: ignore it. */
        DUPLICATE,
        /** Read and add the share, then report it {@link #added}. */
        EXPECTED;
    }

    /** What the round's state calls for. */
    enum Progress {
        /** Shares are still missing. */
        WAITING,
        /** Every share is in: complete the round. */
        COMPLETE,
        /** Every share is in, closed at the deadline below the quorum: abandon the round and draw a new sample. */
        ABANDON
    }

    /** What the round's deadline decides. */
    enum AtDeadline {
        /** The round it was set for is no longer in progress (completed in time, or abandoned). */
        PASSED,
        /** Not due yet (a timer fired early): wait {@link #nanosToDeadline()} more. */
        NOT_DUE,
        /** Due: ask the {@link #missing()} partitions to send their shares as they are. */
        CLOSE
    }

    private final long deadlineNanos;
    private final double quorum;
    private final LongSupplier nanoTime;
    private RoundPlan plan;
    private String planId;
    private Map<Integer, List<String>> partitions = Map.of();
    private final Set<Integer> received = new HashSet<>();
    private boolean closed;
    private long started;
    private int added;
    private int rejected;
    private int late;

    /**
     * @param deadline how long a round waits for its updates
     * @param quorum   the share of the sampled clients that must have been added at the deadline for the round to
     *                 complete (0: it always completes)
     * @param nanoTime the clock, in nanoseconds of an arbitrary origin ({@link System#nanoTime})
     */
    RoundCollector(Duration deadline, double quorum, LongSupplier nanoTime) {
        this.deadlineNanos = deadline.toNanos();
        this.quorum = quorum;
        this.nanoTime = nanoTime;
    }

    /**
     * A collector with the request's deadline, or the default where it sets none; with DP no quorum (every round
     * completes at its deadline), without DP the request's quorum or the default.
     */
    static RoundCollector of(ExperimentRequest request, boolean differentiallyPrivate, LongSupplier nanoTime) {
        double quorum = differentiallyPrivate ? 0 : request.quorum() != null ? request.quorum() : DEFAULT_QUORUM;
        return new RoundCollector(Duration.ofSeconds(request.roundDeadlineSeconds() != null
                ? request.roundDeadlineSeconds() : DEFAULT_DEADLINE_SECONDS), quorum, nanoTime);
    }

    /**
     * Starts collecting the shares of {@code plan}, whose id is {@code planId}, from the partitions of
     * {@code client-updates} in {@code partitions} (each with the clients that answer on it); its deadline is due
     * from now.
     */
    void begin(RoundPlan plan, String planId, Map<Integer, List<String>> partitions) {
        this.plan = plan;
        this.planId = planId;
        this.partitions = new TreeMap<>(partitions);
        this.received.clear();
        this.closed = false;
        this.added = 0;
        this.rejected = 0;
        this.started = nanoTime.getAsLong();
    }

    /** The round in progress, or null. */
    RoundPlan plan() {
        return plan;
    }

    /** The id of the round's current plan, or null. */
    String planId() {
        return planId;
    }

    /** The partitions the plan opened, each with the clients that answer on it. */
    Map<Integer, List<String>> partitions() {
        return partitions;
    }

    /** Classifies a share of round {@code round} (0-based) and plan {@code plan} from {@code partition}. */
    Arrival arrive(int round, String plan, int partition) {
        if (this.plan == null || round != this.plan.round() || !plan.equals(planId)) {
            return Arrival.OTHER_PLAN;
        }
        if (!partitions.containsKey(partition)) {
            return Arrival.NOT_OPENED;
        }
        return received.contains(partition) ? Arrival.DUPLICATE : Arrival.EXPECTED;
    }

    /**
     * The {@link Arrival#EXPECTED expected} share of {@code partition} is in the round's sum: {@code added} updates,
     * {@code rejected} ones unusable, {@code late} ones that did not count.
     */
    Progress added(int partition, int added, int rejected, int late) {
        received.add(partition);
        this.added += added;
        this.rejected += rejected;
        this.late += late;
        return progress();
    }

    private Progress progress() {
        if (received.size() < partitions.size()) {
            return Progress.WAITING;
        }
        return closed && added < needed() ? Progress.ABANDON : Progress.COMPLETE;
    }

    /** Nanoseconds until the round's deadline is due (0 or less once it is). */
    long nanosToDeadline() {
        return started + deadlineNanos - nanoTime.getAsLong();
    }

    /**
     * The added updates a round needs at its deadline: the quorum of the clients it sampled (not of m), rounded up;
     * 0 for a round that sampled nobody. A product that is a
     * whole number up to floating-point error (0.28 × 25 = 7.000000000000001) is that number, not the next.
     */
    int needed() {
        return (int) Math.ceil(quorum * plan.clients().size() - 1e-9);
    }

    /** The deadline set for {@code forPlan}, now; {@link AtDeadline#CLOSE} marks the round closed. */
    AtDeadline atDeadline(RoundPlan forPlan) {
        if (plan != forPlan) {
            return AtDeadline.PASSED;
        }
        if (nanosToDeadline() > 0) {
            return AtDeadline.NOT_DUE;
        }
        closed = true;
        return AtDeadline.CLOSE;
    }

    /** The partitions whose share has not arrived, in order. */
    Set<Integer> missing() {
        Set<Integer> out = new TreeSet<>(partitions.keySet());
        out.removeAll(received);
        return out;
    }

    /** Forgets the sample of the round in progress (its late updates stay counted for the round's report). */
    void abandon() {
        plan = null;
        planId = null;
        partitions = Map.of();
        received.clear();
    }

    /** The round is over (completed, or the run forgotten): late updates count again from zero. */
    void end() {
        abandon();
        late = 0;
    }

    /** Updates added to the round's sum. */
    int added() {
        return added;
    }

    /** Updates rejected as unusable. */
    int rejected() {
        return rejected;
    }

    /** Late updates since the last round completed, as the shares report them. */
    int late() {
        return late;
    }

    /** Nanoseconds since the round in progress began. */
    long elapsedNanos() {
        return nanoTime.getAsLong() - started;
    }
}

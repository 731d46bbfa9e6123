package dev.fedgan.aggregator;

import dev.fedgan.core.gan.FederatedGanTraining.RoundPlan;
import dev.fedgan.protocol.ExperimentRequest;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The rules of one GAN's round in progress, as the client updates arrive: which update counts, when the round is
 * complete, and what its deadline decides. It only decides; the aggregator acts on its answers (counts the metrics,
 * reads and adds the delta, completes or abandons the round). Not thread-safe: the aggregator holds the run's lock.
 *
 * <ul>
 * <li>An update counts only if it answers the round in progress and its client is in the round's sample: an answer
 * to another round, to an abandoned sample of this round, or from a client never asked must not enter the sum.
 * Such an update is late.</li>
 * <li>A client counts once, whether its first update was added or rejected: Kafka may deliver a record twice.</li>
 * <li>The round is complete when every sampled client has answered, added or rejected. Clients are sampled by
 * Poisson draws, so the sample's size varies around m; a round that sampled nobody never gets here: the aggregator
 * completes it at once.</li>
 * <li>At the deadline, with DP, the round completes with what arrived: a sampled client that did not answer, or
 * whose update was rejected, contributes zero, and the denominator stays m = qN. It is never abandoned and
 * redrawn: a rejected update depends on its client's data, so a redraw would make which sample is released depend
 * on one user, and the released samples would no longer be the independent Poisson draws the accountant charges.
 * Without DP, a round below a quorum of the clients actually sampled (default 80%, rounded up) of added updates is
 * abandoned and a new sample drawn.</li>
 * </ul>
 */
final class RoundCollector {

    /** Round deadline when the request sets none, seconds. */
    static final int DEFAULT_DEADLINE_SECONDS = 600;
    /** Share of the sampled clients that must have answered at the deadline when the request sets none. */
    static final double DEFAULT_QUORUM = 0.8;

    /** What to do with an arriving update. */
    enum Arrival {
        /** No round in progress (the run is over): late. */
        NO_ROUND,
        /** For another round than the one in progress: late. */
        OTHER_ROUND,
        /** For the round in progress, from a client outside its current sample: late. */
        NOT_SAMPLED,
        /** From a client already added or rejected this round: ignored. */
        DUPLICATE,
        /** Expected: read the delta, then report it {@link #added} or {@link #rejected}. */
        EXPECTED;

        boolean late() {
            return this == NO_ROUND || this == OTHER_ROUND || this == NOT_SAMPLED;
        }
    }

    /** Whether every sampled client has answered. */
    enum Progress {
        WAITING, COMPLETE
    }

    /** What the round's deadline decides. */
    enum AtDeadline {
        /** The round it was set for is no longer in progress (completed in time, or abandoned). */
        PASSED,
        /** Not due yet (a timer fired early): wait {@link #nanosToDeadline()} more. */
        NOT_DUE,
        /** A quorum of updates was added: complete the round with them. */
        COMPLETE,
        /** Below the quorum: abandon the round (nothing released, nothing accounted) and draw a new sample. */
        ABANDON
    }

    private final long deadlineNanos;
    private final double quorum;
    private final LongSupplier nanoTime;
    private RoundPlan plan;
    private long started;
    private final Set<String> added = new LinkedHashSet<>();
    private final Set<String> rejected = new HashSet<>();
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

    /** Starts collecting {@code plan}'s updates; its deadline is due {@code deadline} from now. */
    void begin(RoundPlan plan) {
        this.plan = plan;
        this.started = nanoTime.getAsLong();
    }

    /** The round in progress, or null. */
    RoundPlan plan() {
        return plan;
    }

    /** Classifies an update of client {@code clientId} for round {@code round} (0-based); counts it if late. */
    Arrival arrive(int round, String clientId) {
        Arrival a = plan == null ? Arrival.NO_ROUND
                : round != plan.round() ? Arrival.OTHER_ROUND
                : !plan.clients().contains(clientId) ? Arrival.NOT_SAMPLED
                : added.contains(clientId) || rejected.contains(clientId) ? Arrival.DUPLICATE
                : Arrival.EXPECTED;
        if (a.late()) {
            late++;
        }
        return a;
    }

    /** The {@link Arrival#EXPECTED expected} client's update is in the round's sum. */
    Progress added(String clientId) {
        added.add(clientId);
        return progress();
    }

    /** The {@link Arrival#EXPECTED expected} client's delta cannot be used: it answered with nothing. */
    Progress rejected(String clientId) {
        rejected.add(clientId);
        return progress();
    }

    private Progress progress() {
        return added.size() + rejected.size() == plan.clients().size() ? Progress.COMPLETE : Progress.WAITING;
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

    /** The deadline set for {@code forPlan}, now. */
    AtDeadline atDeadline(RoundPlan forPlan) {
        if (plan != forPlan) {
            return AtDeadline.PASSED;
        }
        if (nanosToDeadline() > 0) {
            return AtDeadline.NOT_DUE;
        }
        return added.size() >= needed() ? AtDeadline.COMPLETE : AtDeadline.ABANDON;
    }

    /** Forgets the sample of the round in progress (its late updates stay counted for the round's report). */
    void abandon() {
        added.clear();
        rejected.clear();
        plan = null;
    }

    /** The round is over (completed, or the run forgotten): late updates count again from zero. */
    void end() {
        abandon();
        late = 0;
    }

    /** Updates added to the round's sum. */
    int added() {
        return added.size();
    }

    /** Updates rejected as unusable. */
    int rejected() {
        return rejected.size();
    }

    /** Late updates since the last round completed. */
    int late() {
        return late;
    }

    /** Nanoseconds since the round in progress began. */
    long elapsedNanos() {
        return nanoTime.getAsLong() - started;
    }
}

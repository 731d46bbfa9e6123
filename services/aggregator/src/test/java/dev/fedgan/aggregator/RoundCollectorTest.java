package dev.fedgan.aggregator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.fedgan.aggregator.RoundCollector.Arrival;
import dev.fedgan.aggregator.RoundCollector.AtDeadline;
import dev.fedgan.aggregator.RoundCollector.Progress;
import dev.fedgan.core.gan.FederatedGanTraining.RoundPlan;
import dev.fedgan.protocol.ExperimentRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The owner's rules for a round's shares without a broker: a hand-set clock and plans of named clients. */
class RoundCollectorTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(1_000 * SECOND);
    private final RoundCollector collector = new RoundCollector(Duration.ofSeconds(60), 0.8, now::get);

    private static RoundPlan plan(int round, String... clients) {
        return new RoundPlan(round, List.of(clients), new int[clients.length], new long[clients.length]);
    }

    /** The plan's clients round-robin over {@code partitions} partitions, as the driver spreads them. */
    private static Map<Integer, List<String>> spread(RoundPlan plan, int partitions) {
        Map<Integer, List<String>> out = new LinkedHashMap<>();
        for (int k = 0; k < plan.clients().size(); k++) {
            out.computeIfAbsent(TaskPartitions.choose(k, plan.round(), partitions), p -> new java.util.ArrayList<>())
                    .add(plan.clients().get(k));
        }
        return out;
    }

    private void begin(RoundPlan plan, String id, int partitions) {
        collector.begin(plan, id, spread(plan, partitions));
    }

    @Test
    void aShareOfTheCurrentPlanFromAnOpenedPartitionIsExpectedOnce() {
        begin(plan(2, "a", "b", "c"), "p1", 2);
        assertEquals(Set.of(0, 1), collector.partitions().keySet());
        assertEquals(Arrival.EXPECTED, collector.arrive(2, "p1", 1));
        collector.added(1, 2, 0, 0);
        assertEquals(Arrival.DUPLICATE, collector.arrive(2, "p1", 1), "a redelivered share counts once");
        assertEquals(Arrival.NOT_OPENED, collector.arrive(2, "p1", 5));
        assertEquals(2, collector.added());
    }

    @Test
    void aShareOfAnotherRoundOrPlanDoesNotCount() {
        begin(plan(2, "a", "b"), "p1", 1);
        assertEquals(Arrival.OTHER_PLAN, collector.arrive(1, "p1", 0));
        assertEquals(Arrival.OTHER_PLAN, collector.arrive(2, "p0", 0), "an abandoned or redrawn plan's");
        collector.end();
        assertEquals(Arrival.OTHER_PLAN, collector.arrive(2, "p1", 0), "no round in progress");
    }

    @Test
    void theRoundIsCompleteWhenEveryOpenedPartitionsShareArrived() {
        begin(plan(0, "a", "b", "c"), "p1", 4); // three clients: three partitions opened of four
        assertEquals(3, collector.partitions().size());
        assertEquals(Progress.WAITING, collector.added(0, 1, 0, 0));
        assertEquals(Progress.WAITING, collector.added(2, 0, 1, 0));
        assertEquals(Progress.COMPLETE, collector.added(1, 1, 0, 2));
        assertEquals(2, collector.added());
        assertEquals(1, collector.rejected());
        assertEquals(2, collector.late());
    }

    @Test
    void theDeadlineIsDueItsDurationAfterTheRoundBeganAndClosesTheMissingPartitions() {
        RoundPlan p = plan(0, "a", "b");
        begin(p, "p1", 2);
        assertEquals(60 * SECOND, collector.nanosToDeadline());
        collector.added(0, 1, 0, 0);
        now.addAndGet(60 * SECOND - 1);
        assertEquals(AtDeadline.NOT_DUE, collector.atDeadline(p));
        assertEquals(1, collector.nanosToDeadline());
        now.incrementAndGet();
        assertEquals(AtDeadline.CLOSE, collector.atDeadline(p));
        assertEquals(Set.of(1), collector.missing());
        assertEquals(AtDeadline.CLOSE, collector.atDeadline(p), "asked again while a share is missing");
    }

    @Test
    void closedWithAQuorumTheRoundCompletesWhenTheClosedSharesArrive() {
        RoundPlan p = plan(0, "a", "b", "c", "d", "e");
        begin(p, "p1", 1);
        now.addAndGet(60 * SECOND);
        assertEquals(AtDeadline.CLOSE, collector.atDeadline(p));
        assertEquals(Progress.COMPLETE, collector.added(0, 4, 0, 0), "4 of 5: the quorum of 80%");
    }

    @Test
    void closedBelowTheQuorumTheRoundIsAbandoned() {
        RoundPlan p = plan(0, "a", "b", "c", "d", "e");
        begin(p, "p1", 2);
        collector.added(0, 2, 1, 0);
        now.addAndGet(60 * SECOND);
        collector.atDeadline(p);
        assertEquals(Progress.ABANDON, collector.added(1, 1, 0, 0), "3 of 5 added; a rejected update is no part of it");
    }

    @Test
    void inTimeEveryAnswerCompletesTheRoundWhateverWasRejected() {
        RoundPlan p = plan(0, "a", "b", "c", "d", "e");
        begin(p, "p1", 1);
        assertEquals(Progress.COMPLETE, collector.added(0, 1, 4, 0), "the quorum applies at the deadline only");
    }

    @Test
    void theQuorumIsTheShareOfTheClientsSampledRoundedUp() {
        begin(plan(0, "a", "b", "c", "d", "e", "f"), "p1", 1);
        assertEquals(5, collector.needed(), "80% of the 6 sampled is 4.8");
        collector.end();
        begin(plan(1, "a", "b"), "p2", 1); // Poisson: another round of the same run may sample fewer
        assertEquals(2, collector.needed(), "80% of the 2 sampled is 1.6");
        collector.end();
        collector.begin(plan(2), null, Map.of());
        assertEquals(0, collector.needed(), "a round that sampled nobody needs nobody");
    }

    @Test
    void aQuorumThatIsAWholeNumberOfClientsIsNotRoundedPastIt() {
        RoundCollector quorum = new RoundCollector(Duration.ofSeconds(60), 0.28, now::get);
        quorum.begin(plan(0, IntStream.range(0, 25).mapToObj(i -> "w" + i).toArray(String[]::new)), "p", Map.of());
        assertEquals(7, quorum.needed(), "28% of 25 is 7 (0.28 * 25 is 7.000000000000001 in binary)");
    }

    @Test
    void theDefaultsAreTenMinutesAndEightyPercent() {
        RoundCollector defaults = RoundCollector.of(ExperimentRequest.builder().experimentId("e")
                .data("bundled:field").invertProbability(0.5).bugSeed(7).build(), false, now::get);
        defaults.begin(plan(0, "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"), "p", Map.of());
        assertEquals(600 * SECOND, defaults.nanosToDeadline());
        assertEquals(8, defaults.needed());
    }

    @Test
    void theRequestSetsTheDeadlineAndTheQuorum() {
        RoundCollector set = RoundCollector.of(ExperimentRequest.builder().experimentId("e")
                .data("bundled:field").invertProbability(0.5).bugSeed(7).roundDeadlineSeconds(2).quorum(0.5)
                .build(), false, now::get);
        set.begin(plan(0, "a", "b"), "p", Map.of());
        assertEquals(2 * SECOND, set.nanosToDeadline());
        assertEquals(1, set.needed());
    }

    @Test
    void withDpARoundClosedAtItsDeadlineCompletesWithWhatArrivedWhateverTheQuorum() {
        RoundCollector dp = RoundCollector.of(ExperimentRequest.builder().experimentId("e")
                .data("bundled:field").invertProbability(0.5).bugSeed(7).roundDeadlineSeconds(2).quorum(0.9)
                .build(), true, now::get);
        RoundPlan p = plan(0, "a", "b", "c");
        dp.begin(p, "p1", spread(p, 1));
        assertEquals(0, dp.needed(), "no quorum under DP");
        now.addAndGet(2 * SECOND);
        assertEquals(AtDeadline.CLOSE, dp.atDeadline(p));
        assertEquals(Progress.COMPLETE, dp.added(0, 0, 1, 0),
                "a rejected update (data-dependent) and two silent clients do not make the round redrawn");
    }

    @Test
    void aDeadlineOfARoundNoLongerInProgressHasPassed() {
        RoundPlan first = plan(0, "a");
        begin(first, "p1", 1);
        collector.added(0, 1, 0, 0);
        collector.end();
        begin(plan(1, "a"), "p2", 1);
        now.addAndGet(60 * SECOND);
        assertEquals(AtDeadline.PASSED, collector.atDeadline(first));
    }

    @Test
    void anAbandonedPlansSharesDoNotCountInTheNextPlan() {
        RoundPlan first = plan(0, "a", "b");
        begin(first, "p1", 1);
        collector.abandon();
        assertNull(collector.plan());
        begin(plan(0, "a", "c"), "p2", 1);
        assertEquals(Arrival.OTHER_PLAN, collector.arrive(0, "p1", 0));
        assertEquals(Arrival.EXPECTED, collector.arrive(0, "p2", 0));
        assertEquals(0, collector.added());
    }

    @Test
    void lateUpdatesCountUntilTheRoundCompletesAbandonedPlansIncluded() {
        begin(plan(0, "a"), "p1", 1);
        collector.added(0, 0, 0, 1);
        collector.abandon();
        begin(plan(0, "b"), "p2", 1);
        collector.added(0, 1, 0, 1);
        assertEquals(2, collector.late());
        collector.end();
        assertEquals(0, collector.late());
    }

    @Test
    void theRoundsElapsedTimeIsFromItsBeginning() {
        begin(plan(0, "a"), "p1", 1);
        now.addAndGet(7 * SECOND);
        assertEquals(7 * SECOND, collector.elapsedNanos());
    }
}

package dev.fedgan.aggregator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.fedgan.aggregator.RoundCollector.Arrival;
import dev.fedgan.aggregator.RoundCollector.AtDeadline;
import dev.fedgan.aggregator.RoundCollector.Progress;
import dev.fedgan.core.gan.FederatedGanTraining.RoundPlan;
import dev.fedgan.protocol.ExperimentRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The round's rules without a broker: a hand-set clock and plans of named clients. */
class RoundCollectorTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(1_000 * SECOND);
    private final RoundCollector collector = new RoundCollector(Duration.ofSeconds(60), 0.8, now::get);

    private static RoundPlan plan(int round, String... clients) {
        return new RoundPlan(round, List.of(clients), new int[clients.length], new long[clients.length]);
    }

    @Test
    void anUpdateFromASampledClientOfTheRoundInProgressIsExpected() {
        collector.begin(plan(2, "a", "b"));
        assertEquals(Arrival.EXPECTED, collector.arrive(2, "b"));
        assertEquals(0, collector.late());
    }

    @Test
    void anUpdateFromAClientOutsideTheSampleIsLate() {
        collector.begin(plan(2, "a", "b"));
        assertEquals(Arrival.NOT_SAMPLED, collector.arrive(2, "c"));
        assertEquals(1, collector.late());
    }

    @Test
    void anUpdateForAnotherRoundIsLate() {
        collector.begin(plan(2, "a", "b"));
        assertEquals(Arrival.OTHER_ROUND, collector.arrive(1, "a"));
        assertEquals(1, collector.late());
    }

    @Test
    void anUpdateWithNoRoundInProgressIsLate() {
        assertEquals(Arrival.NO_ROUND, collector.arrive(0, "a"));
        assertEquals(1, collector.late());
    }

    @Test
    void aSecondUpdateOfTheSameClientCountsOnce() {
        collector.begin(plan(0, "a", "b"));
        collector.arrive(0, "a");
        collector.added("a");
        assertEquals(Arrival.DUPLICATE, collector.arrive(0, "a"));
        assertEquals(1, collector.added());
        assertEquals(0, collector.late());
    }

    @Test
    void anUpdateAfterARejectedOneOfTheSameClientCountsOnce() {
        collector.begin(plan(0, "a", "b"));
        collector.arrive(0, "a");
        collector.rejected("a");
        assertEquals(Arrival.DUPLICATE, collector.arrive(0, "a"));
        assertEquals(0, collector.added());
        assertEquals(1, collector.rejected());
    }

    @Test
    void theRoundIsCompleteWhenEverySampledClientAnswered() {
        collector.begin(plan(0, "a", "b", "c"));
        assertEquals(Progress.WAITING, collector.added("a"));
        assertEquals(Progress.WAITING, collector.rejected("b"));
        assertEquals(Progress.COMPLETE, collector.added("c"));
    }

    @Test
    void theDeadlineIsDueItsDurationAfterTheRoundBegan() {
        RoundPlan p = plan(0, "a");
        collector.begin(p);
        assertEquals(60 * SECOND, collector.nanosToDeadline());
        now.addAndGet(60 * SECOND - 1);
        assertEquals(AtDeadline.NOT_DUE, collector.atDeadline(p));
        assertEquals(1, collector.nanosToDeadline());
        now.incrementAndGet();
        assertEquals(AtDeadline.ABANDON, collector.atDeadline(p));
    }

    @Test
    void theDeadlineWithAQuorumCompletesTheRound() {
        RoundPlan p = plan(0, "a", "b", "c", "d", "e");
        collector.begin(p);
        for (String c : List.of("a", "b", "c", "d")) {
            collector.added(c);
        }
        now.addAndGet(60 * SECOND);
        assertEquals(AtDeadline.COMPLETE, collector.atDeadline(p));
    }

    @Test
    void theDeadlineBelowTheQuorumAbandonsTheRound() {
        RoundPlan p = plan(0, "a", "b", "c", "d", "e");
        collector.begin(p);
        for (String c : List.of("a", "b", "c")) {
            collector.added(c);
        }
        collector.rejected("d");
        now.addAndGet(60 * SECOND);
        assertEquals(AtDeadline.ABANDON, collector.atDeadline(p), "a rejected update is no part of the quorum");
    }

    @Test
    void theQuorumIsTheShareOfTheClientsSampledRoundedUp() {
        collector.begin(plan(0, "a", "b", "c", "d", "e", "f"));
        assertEquals(5, collector.needed(), "80% of the 6 sampled is 4.8");
        collector.end();
        collector.begin(plan(1, "a", "b")); // Poisson: another round of the same run may sample fewer
        assertEquals(2, collector.needed(), "80% of the 2 sampled is 1.6");
        collector.end();
        collector.begin(plan(2));
        assertEquals(0, collector.needed(), "a round that sampled nobody needs nobody");
    }

    @Test
    void aQuorumThatIsAWholeNumberOfClientsIsNotRoundedPastIt() {
        RoundCollector quorum = new RoundCollector(Duration.ofSeconds(60), 0.28, now::get);
        quorum.begin(plan(0, IntStream.range(0, 25).mapToObj(i -> "w" + i).toArray(String[]::new)));
        assertEquals(7, quorum.needed(), "28% of 25 is 7 (0.28 * 25 is 7.000000000000001 in binary)");
    }

    @Test
    void theDefaultsAreTenMinutesAndEightyPercent() {
        RoundCollector defaults = RoundCollector.of(ExperimentRequest.builder().experimentId("e")
                .data("bundled:field").invertProbability(0.5).bugSeed(7).build(), false, now::get);
        defaults.begin(plan(0, "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"));
        assertEquals(600 * SECOND, defaults.nanosToDeadline());
        assertEquals(8, defaults.needed());
    }

    @Test
    void theRequestSetsTheDeadlineAndTheQuorum() {
        RoundCollector set = RoundCollector.of(ExperimentRequest.builder().experimentId("e")
                .data("bundled:field").invertProbability(0.5).bugSeed(7).roundDeadlineSeconds(2).quorum(0.5)
                .build(), false, now::get);
        set.begin(plan(0, "a", "b"));
        assertEquals(2 * SECOND, set.nanosToDeadline());
        assertEquals(1, set.needed());
    }

    @Test
    void withDpARoundCompletesAtItsDeadlineWithWhatArrivedWhateverTheQuorum() {
        RoundCollector dp = RoundCollector.of(ExperimentRequest.builder().experimentId("e")
                .data("bundled:field").invertProbability(0.5).bugSeed(7).roundDeadlineSeconds(2).quorum(0.9)
                .build(), true, now::get);
        RoundPlan p = plan(0, "a", "b", "c");
        dp.begin(p);
        assertEquals(0, dp.needed(), "no quorum under DP");
        dp.rejected("a");
        now.addAndGet(2 * SECOND);
        assertEquals(AtDeadline.COMPLETE, dp.atDeadline(p),
                "a rejected update (data-dependent) and two silent clients do not make the round redrawn");
    }

    @Test
    void aDeadlineOfARoundNoLongerInProgressHasPassed() {
        RoundPlan first = plan(0, "a");
        collector.begin(first);
        collector.added("a");
        collector.end();
        collector.begin(plan(1, "a"));
        now.addAndGet(60 * SECOND);
        assertEquals(AtDeadline.PASSED, collector.atDeadline(first));
    }

    @Test
    void anAbandonedSamplesAnswersAreNotInTheNextSample() {
        RoundPlan first = plan(0, "a", "b");
        collector.begin(first);
        collector.added("a");
        collector.abandon();
        assertNull(collector.plan());
        collector.begin(plan(0, "a", "c"));
        assertEquals(Arrival.NOT_SAMPLED, collector.arrive(0, "b"));
        assertEquals(Arrival.EXPECTED, collector.arrive(0, "a"), "a is asked again in the new sample");
        assertEquals(0, collector.added());
    }

    @Test
    void lateUpdatesCountUntilTheRoundCompletesAbandonedSamplesIncluded() {
        collector.begin(plan(0, "a"));
        collector.arrive(0, "x");
        collector.abandon();
        collector.begin(plan(0, "b"));
        collector.arrive(0, "y");
        assertEquals(2, collector.late());
        collector.added("b");
        collector.end();
        assertEquals(0, collector.late());
    }

    @Test
    void theRoundsElapsedTimeIsFromItsBeginning() {
        collector.begin(plan(0, "a"));
        now.addAndGet(7 * SECOND);
        assertEquals(7 * SECOND, collector.elapsedNanos());
    }
}

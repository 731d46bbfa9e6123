package dev.fedgan.core.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class StopRuleTest {

    @Test
    void aRoundBelowTheLimitWithoutATargetMayRun() {
        assertNull(new StopRule(3, null).beforeRound(2, () -> 100.0));
    }

    @Test
    void theRoundLimitStopsTheRun() {
        assertEquals("round limit 3 reached", new StopRule(3, null).beforeRound(3, () -> 0.1));
    }

    @Test
    void aRoundWhoseEpsilonWouldExceedTheTargetDoesNotRun() {
        assertEquals("stopped before round 3: ε would exceed the target 1.500",
                new StopRule(10, 1.5).beforeRound(2, () -> 1.6));
    }

    @Test
    void aRoundThatReachesTheTargetExactlyMayRun() {
        assertNull(new StopRule(10, 1.5).beforeRound(2, () -> 1.5));
    }

    @Test
    void theRoundLimitIsReportedBeforeTheTarget() {
        assertEquals("round limit 2 reached", new StopRule(2, 1.0).beforeRound(2, () -> 5.0));
    }

    @Test
    void epsilonIsNotComputedWhenTheLimitAlreadyStopsTheRun() {
        assertEquals("round limit 2 reached", new StopRule(2, 1.0).beforeRound(2, () -> {
            throw new AssertionError("ε asked for a round that cannot run");
        }));
    }

    @Test
    void epsilonIsNotComputedWithoutATarget() {
        assertNull(new StopRule(2, null).beforeRound(1, () -> {
            throw new AssertionError("ε asked without a target");
        }));
    }
}

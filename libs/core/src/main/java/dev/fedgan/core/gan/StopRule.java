package dev.fedgan.core.gan;

import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * When a GAN's training stops: at its round limit, or before a round whose ε would exceed the run's target. The
 * target is checked before the round runs, not after, because ε only grows: a round released above the target
 * could not be taken back. The one-JVM run ({@link GanExperiment}) asks before each round; the aggregator asks
 * after completing one, whether the next may run. Both report the same reason.
 */
public final class StopRule {

    private final int roundLimit;
    private final Double targetEpsilon;

    /**
     * @param roundLimit    the rounds to run at most
     * @param targetEpsilon stop before a round would take ε above this (null: no target)
     */
    public StopRule(int roundLimit, Double targetEpsilon) {
        this.roundLimit = roundLimit;
        this.targetEpsilon = targetEpsilon;
    }

    /** The rule of a run with {@code config}'s round limit and the given target (null: none). */
    public static StopRule of(GanTrainingConfig config, Double targetEpsilon) {
        return new StopRule(config.rounds(), targetEpsilon);
    }

    /** Why {@code training} must not run another round, or null if it may. */
    public String beforeNextRound(FederatedGanTraining training) {
        return beforeRound(training.round(), training::epsilonAfterNextRound);
    }

    /**
     * Why round {@code roundsDone + 1} must not run, or null if it may.
     *
     * @param epsilonAfterIt ε once that round has run; asked only when there is a target and the limit allows the
     *                       round (it copies the accountant)
     */
    public String beforeRound(int roundsDone, DoubleSupplier epsilonAfterIt) {
        if (roundsDone >= roundLimit) {
            return "round limit " + roundLimit + " reached";
        }
        if (targetEpsilon != null && epsilonAfterIt.getAsDouble() > targetEpsilon) {
            return String.format(Locale.ROOT, "stopped before round %d: ε would exceed the target %.4g",
                    roundsDone + 1, targetEpsilon);
        }
        return null;
    }
}

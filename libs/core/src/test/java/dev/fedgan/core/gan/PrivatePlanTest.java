package dev.fedgan.core.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.privacy.AdaptiveClip;
import dev.fedgan.core.privacy.Conversion;
import dev.fedgan.core.privacy.ExperimentPrivacy;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.core.privacy.PrivacyStatement;
import dev.fedgan.core.privacy.SelectionPrivacy;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrivatePlanTest {

    private static final long CRITIC = GanPreset.PRIVATE.criticWeights();
    private static final SelectionPrivacy SELECTION = SelectionPrivacy.of(SelectionPrivacy.DEFAULT_NOISE_MULTIPLIER);

    @Test
    void theNoiseSpendsTheTargetAsTheReportWillStateIt() {
        PrivatePlan plan = PrivatePlan.choose(10, 1e-5, SELECTION, 750, PrivatePlan.ROUNDS, CRITIC);
        assertEquals(150, plan.clientsPerRound(), "20% of 750");
        assertEquals(PrivatePlan.ROUNDS, plan.rounds());
        // The report's figure: the selection composed with both GANs' statements (the larger one at the same q).
        PrivacyStatement low = PrivacyStatement.of(750, plan.clientsPerRound(), plan.noiseMultiplier(), 0.1,
                plan.rounds(), 1e-5, true);
        PrivacyStatement high = PrivacyStatement.of(900, plan.clientsPerRound(), plan.noiseMultiplier(), 0.1,
                plan.rounds(), 1e-5, true);
        ExperimentPrivacy reported = ExperimentPrivacy.of(SELECTION, Map.of("low_accuracy", low, "high_accuracy", high),
                1e-5);
        assertEquals(reported.epsilonImproved(), plan.epsilon(), 1e-9);
        assertTrue(plan.epsilon() <= 10 && plan.epsilon() > 10 - 1e-2,
                "the smallest z within the target: " + plan.epsilon());
        PrivacyStatement noisier = PrivacyStatement.of(750, plan.clientsPerRound(), plan.noiseMultiplier() * (1 - 2e-4),
                0.1, plan.rounds(), 1e-5, true);
        assertTrue(ExperimentPrivacy.of(SELECTION, Map.of("low_accuracy", noisier), 1e-5).epsilonImproved() > 10,
                "a slightly smaller z would exceed the target");
        // Adaptive clipping: sigma_b = max(0.05 m, 2z) = 7.5; the deltas' sum takes z_d with 1/z^2 = 1/z_d^2 + 1/15^2.
        assertEquals(AdaptiveClip.defaults(150, plan.noiseMultiplier()), plan.adaptiveClip());
        assertEquals(7.5, plan.adaptiveClip().countNoise(), 1e-12);
        double z = plan.noiseMultiplier();
        double zd = 1 / Math.sqrt(1 / (z * z) - 1 / 225.0);
        assertEquals(zd, plan.updateNoiseMultiplier(), 1e-12);
        assertEquals(Math.sqrt(100) * 150 / (zd * Math.sqrt(CRITIC)), plan.signalToNoise(), 1e-12);
        assertTrue(plan.meaningful(), plan.describe());
        PrivatePlan fixed = plan.withClipRule(null);
        assertEquals(Math.sqrt(100) * 150 / (z * Math.sqrt(CRITIC)), fixed.signalToNoise(), 1e-12);
        assertEquals(plan.epsilon(), fixed.epsilon(), "the clip rule costs no epsilon");
        assertEquals(null, fixed.applyTo(PrivatePlan.BASE).adaptiveClip());
        assertEquals(plan.adaptiveClip(), plan.applyTo(PrivatePlan.BASE).adaptiveClip());
    }

    /** The class comment's reason for large rounds: at N̂ = 1,000, T = 200, ε 8.8, z/m falls from 0.0255 to 0.0093. */
    @Test
    void largerRoundsPutLessNoiseOnTheMean() {
        double few = PrivacyCalculator.noiseMultiplierFor(0.025, 200, 1e-5, 8.8, Conversion.IMPROVED) / 25;
        double many = PrivacyCalculator.noiseMultiplierFor(0.2, 200, 1e-5, 8.8, Conversion.IMPROVED) / 200;
        assertEquals(0.0255, few, 5e-5);
        assertEquals(0.0093, many, 5e-5);
    }

    @Test
    void theBundledPopulationCannotBeMeaningfulAndTheNeededSizeIsComputed() {
        PrivatePlan bundled = PrivatePlan.choose(10, 1e-5, SELECTION, 25, PrivatePlan.ROUNDS, CRITIC);
        assertEquals(PrivatePlan.MIN_CLIENTS, bundled.clientsPerRound());
        assertFalse(bundled.meaningful(), bundled.describe());
        int needed = PrivatePlan.populationNeeded(10, 1e-5, SELECTION, PrivatePlan.ROUNDS, CRITIC);
        int population = (int) Math.floor(needed * PrivatePlan.POPULATION_SHARE);
        assertTrue(PrivatePlan.choose(10, 1e-5, SELECTION, population, PrivatePlan.ROUNDS, CRITIC).meaningful());
        assertFalse(PrivatePlan.choose(10, 1e-5, SELECTION, population - 1, PrivatePlan.ROUNDS, CRITIC).meaningful());
        assertTrue(needed > 100 && needed < 3000, "between the bundled 100 writers and the benchmark's 3,000: " + needed);
    }

    @Test
    void aTargetTheSelectionAloneExceedsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PrivatePlan.choose(1.0, 1e-5, SELECTION, 750, PrivatePlan.ROUNDS, CRITIC));
        assertTrue(e.getMessage().contains("the selection alone costs epsilon 1.16"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> PrivatePlan.choose(Double.NaN, 1e-5, SELECTION, 750, PrivatePlan.ROUNDS, CRITIC));
        assertThrows(IllegalArgumentException.class,
                () -> PrivatePlan.choose(10, 1e-5, SELECTION, 9, PrivatePlan.ROUNDS, CRITIC));
    }

    @Test
    void theSelectionKeepsItsDefaultNoiseUntilItWouldSpendOverAnEighthOfTheTarget() {
        assertEquals(SelectionPrivacy.DEFAULT_NOISE_MULTIPLIER, PrivatePlan.selectionNoise(10, 1e-5));
        double z = PrivatePlan.selectionNoise(1, 1e-5);
        double spent = SelectionPrivacy.of(z).epsilon(1e-5, Conversion.IMPROVED).epsilon();
        assertTrue(spent <= 0.125 && spent > 0.125 - 1e-3, "an eighth of 1: " + spent);
        assertTrue(SelectionPrivacy.of(z * (1 - 2e-4)).epsilon(1e-5, Conversion.IMPROVED).epsilon() > 0.125);
        PrivatePlan plan = PrivatePlan.choose(1, 1e-5, SelectionPrivacy.of(z), 750, PrivatePlan.ROUNDS, CRITIC);
        assertTrue(plan.epsilon() <= 1 && plan.epsilon() > 0.99, "ε 1 within reach once the selection shares: "
                + plan.describe());
        assertThrows(IllegalArgumentException.class, () -> PrivatePlan.selectionNoise(0, 1e-5));
    }

    @Test
    void anInfiniteTargetPlansTheSameRoundsWithoutNoise() {
        PrivatePlan finite = PrivatePlan.choose(10, 1e-5, SELECTION, 750, PrivatePlan.ROUNDS, CRITIC);
        PrivatePlan none = PrivatePlan.choose(Double.POSITIVE_INFINITY, 1e-5, SELECTION, 750, PrivatePlan.ROUNDS, CRITIC);
        assertEquals(finite.clientsPerRound(), none.clientsPerRound());
        assertEquals(finite.rounds(), none.rounds());
        assertEquals(0, none.noiseMultiplier());
        assertEquals(Double.POSITIVE_INFINITY, none.epsilon());
        assertFalse(none.isPrivate());
        assertTrue(none.describe().contains("NO noise"), none.describe());
        assertEquals(SelectionPrivacy.DEFAULT_NOISE_MULTIPLIER, PrivatePlan.selectionNoise(Double.POSITIVE_INFINITY, 1e-5));
    }
}

package dev.fedgan.core.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fedgan.core.privacy.DpFedAvgAggregate.DpConfig;
import org.junit.jupiter.api.Test;

/** Andrew et al.'s quantile-tracking clip: the accounting identity, the geometric step and the noised count. */
class AdaptiveClipTest {

    @Test
    void theSumsNoiseIsWhatLeavesTheAccountedMultiplierForTheCount() {
        // z = 1, sigma_b = 1: 1/z_d^2 = 1 - 1/4, z_d = 2/sqrt(3).
        assertEquals(1.1547005383792515, new AdaptiveClip(0.5, 0.2, 1).updateNoiseMultiplier(1), 1e-15);
        // The identity 1/z^2 = 1/z_d^2 + 1/(2 sigma_b)^2 holds for a run's values (z 3.24, m 170: sigma_b 8.5).
        AdaptiveClip rule = AdaptiveClip.defaults(170, 3.24);
        assertEquals(8.5, rule.countNoise(), 1e-12);
        double zd = rule.updateNoiseMultiplier(3.24);
        assertEquals(1 / (3.24 * 3.24), 1 / (zd * zd) + 1 / (4 * 8.5 * 8.5), 1e-15);
    }

    @Test
    void fewClientsPerRoundGetACountNoiseOfAtLeastTwiceZ() {
        AdaptiveClip rule = AdaptiveClip.defaults(10, 3.0); // 0.05 m = 0.5 would leave no z_d
        assertEquals(6.0, rule.countNoise());
        assertEquals(3.0 / Math.sqrt(1 - 1.0 / 16), rule.updateNoiseMultiplier(3.0), 1e-12);
        assertEquals(16.7, AdaptiveClip.defaults(170, 8.35).countNoise(), 1e-12, "epsilon 1 on 3,000 users");
        assertEquals(0, AdaptiveClip.defaults(10, 0).countNoise(), "no noise: the exact count");
    }

    @Test
    void theClipGrowsWhileMoreThanTheQuantileIsClippedAndShrinksOtherwise() {
        AdaptiveClip rule = new AdaptiveClip(0.5, 0.2, 0);
        assertEquals(0.1 * Math.exp(0.1), rule.next(0.1, 0.0), 1e-17, "all clipped: up by exp(eta gamma)");
        assertEquals(0.1 * Math.exp(-0.1), rule.next(0.1, 1.0), 1e-17, "none clipped: down by exp(-eta (1 - gamma))");
        assertEquals(0.1, rule.next(0.1, 0.5), 0, "at the quantile: stays");
    }

    @Test
    void theNoisedFractionIsShiftedOverMAndKeptInZeroToOne() {
        assertEquals(0.75, AdaptiveClip.noisedFractionWithin(1, 0, 4), 0, "3 of 4 within: (3 - 2)/4 + 1/2");
        assertEquals(1.0, AdaptiveClip.noisedFractionWithin(1, 10, 4), 0);
        assertEquals(0.0, AdaptiveClip.noisedFractionWithin(-2, -10, 4), 0);
    }

    @Test
    void absurdRulesAndTooLittleCountNoiseAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveClip(1.0, 0.2, 1));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveClip(0.5, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveClip(0.5, 0.2, Double.NaN));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AdaptiveClip(0.5, 0.2, 0.5).updateNoiseMultiplier(1.0));
        assertEquals("adaptive clipping needs the count noise sigma_b above z/2: sigma_b = 0.5 with z = 1.0; raise"
                + " sigma_b to more than 0.5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveClip(0.5, 0.2, 1).checkNoise(0));
    }

    @Test
    void theAggregateReleasesTheNoisedFractionWithinAfterTheSumsNoise() {
        int n = 5;
        float[] small = {0.01f, 0, 0, 0, 0};
        float[] large = {1, 0, 0, 0, 0};
        float[] nan = {Float.NaN, 0, 0, 0, 0};
        // Without count noise: 2 within (the small delta and the rejected one, a zero delta) of 3 received, m = 4.
        DpFedAvgAggregate exact = DpFedAvgAggregate.dp(n, new DpConfig(0.1, 0, 4, 0.0), GaussianNoise.seeded(1));
        exact.add("small", small);
        exact.add("large", large);
        exact.add("nan", nan);
        assertEquals((2 - 1.5) / 4 + 0.5, exact.finish().report().noisedFractionWithin(), 1e-15);
        // With noise: the count's draw comes after the sum's n draws of the same stream.
        DpFedAvgAggregate noised = DpFedAvgAggregate.dp(n, new DpConfig(0.1, 2, 4, 3.0), GaussianNoise.seeded(7));
        noised.add("small", small);
        noised.add("large", large);
        GaussianNoise stream = GaussianNoise.seeded(7);
        stream.sample(n, 0.2);
        double countNoise = stream.sample(1, 3.0)[0];
        assertEquals(AdaptiveClip.noisedFractionWithin(1 - 1.0, countNoise, 4),
                noised.finish().report().noisedFractionWithin(), 1e-15);
        // A fixed clip releases no count.
        DpFedAvgAggregate fixed = DpFedAvgAggregate.dp(n, new DpConfig(0.1, 0, 4), GaussianNoise.seeded(1));
        fixed.add("small", small);
        assertEquals(null, fixed.finish().report().noisedFractionWithin());
    }
}

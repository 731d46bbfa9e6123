package dev.fedgan.core.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The warm-up really takes its steps (finite losses) and refuses a negative count. */
class StepWarmUpTest {

    @Test
    void generatorAndCriticStepsAreTaken() {
        StepWarmUp.Result g = StepWarmUp.generatorSteps(3);
        assertEquals(3, g.steps());
        assertTrue(Double.isFinite(g.lastLoss()), "generator loss " + g.lastLoss());
        StepWarmUp.Result d = StepWarmUp.criticSteps(2);
        assertEquals(2, d.steps());
        assertTrue(Double.isFinite(d.lastLoss()), "critic loss " + d.lastLoss());
        assertTrue(Double.isNaN(StepWarmUp.generatorSteps(0).lastLoss()));
    }

    @Test
    void aNegativeCountIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StepWarmUp.criticSteps(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }
}

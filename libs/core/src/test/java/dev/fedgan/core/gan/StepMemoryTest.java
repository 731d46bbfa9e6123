package dev.fedgan.core.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A step's gradient pass takes the previous step's arrays instead of new ones, and a step on arrays that held the
 * previous step's values gives the same weights as the first step on new arrays.
 */
class StepMemoryTest {

    static final GanPreset P = GanPreset.TINY;
    static final int B = 8;

    static INDArray uniform(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, shape).muli(2).subi(1);
    }

    private final INDArray real = uniform(1, B, 1, 28, 28);
    private final INDArray fake = uniform(2, B, 1, 28, 28);
    private final INDArray alpha = uniform(3, B, 1, 1, 1).addi(1).divi(2);

    @Test
    void aCriticStepOnReusedArraysEqualsOneOnNewArrays() {
        CriticStep step = new CriticStep(P, GanLoss.WASSERSTEIN_GP, 10, DataType.FLOAT);
        NetworkWeights start = GanNetworks.initialCritic(P, 3);
        NetworkWeights first = start.copy();
        CriticStep.Losses l1 = step.step(first, real, fake, alpha, 0.01);
        long created = step.memory.created();
        // A different batch in between leaves other values in the arrays.
        step.step(start.copy(), fake, real, alpha, 0.01);
        NetworkWeights again = start.copy();
        CriticStep.Losses l2 = step.step(again, real, fake, alpha, 0.01);

        assertTrue(created > 20, "a critic step allocates its op outputs: " + created);
        assertEquals(created, step.memory.created(), "the later steps allocated new arrays");
        assertEquals(2 * created, step.memory.reused());
        assertEquals(l1.loss(), l2.loss(), 1e-6);
        assertSameWeights(first, again);
        assertTrue(maxDifference(start, first) > 1e-4, "the step moved the weights");
    }

    @Test
    void aGeneratorStepOnReusedArraysEqualsOneOnNewArrays() {
        GeneratorStep step = new GeneratorStep(P, GanLoss.WASSERSTEIN_GP, DataType.FLOAT);
        NetworkWeights generator = GanNetworks.initialGenerator(P, 4);
        NetworkWeights critic = GanNetworks.initialCritic(P, 5);
        INDArray noise = uniform(6, B, P.noiseDim());
        NetworkWeights first = generator.copy();
        NetworkWeights criticFirst = critic.copy();
        double loss1 = step.step(first, criticFirst, noise, 0.01);
        step.step(generator.copy(), critic.copy(), uniform(7, B, P.noiseDim()), 0.01);
        NetworkWeights again = generator.copy();
        NetworkWeights criticAgain = critic.copy();
        double loss2 = step.step(again, criticAgain, noise, 0.01);

        assertTrue(step.memory.reused() > 0);
        assertEquals(loss1, loss2, 1e-6);
        assertSameWeights(first, again);
        assertSameWeights(criticFirst, criticAgain); // the critic's batch-norm statistics moved alike
    }

    @Test
    void gradientsOutliveTheNextStep() {
        CriticStep step = new CriticStep(P, GanLoss.WASSERSTEIN_GP, 10, DataType.FLOAT);
        NetworkWeights critic = GanNetworks.initialCritic(P, 3);
        var kept = step.gradients(critic, real, fake, alpha);
        var before = kept.get("d_dense_W").dup();
        step.step(critic.copy(), fake, real, alpha, 0.5);
        assertEquals(0, before.sub(kept.get("d_dense_W")).amaxNumber().doubleValue(), 0);
    }

    static void assertSameWeights(NetworkWeights a, NetworkWeights b) {
        assertEquals(0, maxDifference(a, b), 1e-6);
    }

    static double maxDifference(NetworkWeights a, NetworkWeights b) {
        double max = 0;
        for (String name : a.names()) {
            max = Math.max(max, a.get(name).sub(b.get(name)).amaxNumber().doubleValue());
        }
        return max;
    }
}

package dev.fedgan.core.gan;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Generator or critic steps of the {@link GanPreset#TINY tiny} networks on random data, run once when a service
 * starts so that the JVM compiles the steps' Java code (SameDiff's execution of the graph, the same for every
 * preset) before the first real round. Without it a service that takes only a few steps per round (the aggregator:
 * 6 generator steps) needs many rounds to get there, and meanwhile runs its steps slower than one JVM whose clients'
 * critic steps have compiled the same code. Nothing here touches a real experiment's networks.
 */
public final class StepWarmUp {

    /** What a warm-up did: steps taken, their wall time, the last step's loss (finite when the steps worked). */
    public record Result(int steps, double seconds, double lastLoss) {
    }

    private static final int BATCH = 4;

    private StepWarmUp() {
    }

    /** {@code steps} generator steps (what the aggregator runs each round). */
    public static Result generatorSteps(int steps) {
        return run(steps, false);
    }

    /** {@code steps} critic steps with the generator's samples (what a client-update runs per task). */
    public static Result criticSteps(int steps) {
        return run(steps, true);
    }

    private static Result run(int steps, boolean criticSteps) {
        if (steps < 0) {
            throw new IllegalArgumentException("warm-up steps must be ≥ 0, got " + steps);
        }
        long t0 = System.nanoTime();
        GanPreset p = GanPreset.TINY;
        SplittableRandom rnd = new SplittableRandom(1);
        NetworkWeights generator = GanNetworks.initialGenerator(p, 1);
        NetworkWeights critic = GanNetworks.initialCritic(p, 2);
        GeneratorStep generatorStep = criticSteps ? null : new GeneratorStep(p, GanLoss.WASSERSTEIN_GP, DataType.FLOAT);
        CriticStep criticStep = criticSteps ? new CriticStep(p, GanLoss.WASSERSTEIN_GP, 10.0, DataType.FLOAT) : null;
        GeneratorSampler sampler = criticSteps ? new GeneratorSampler(p, true, DataType.FLOAT) : null;
        double loss = Double.NaN;
        for (int s = 0; s < steps; s++) {
            INDArray noise = ClientTraining.gaussian(rnd, BATCH, p.noiseDim());
            if (criticSteps) {
                INDArray fake = sampler.sample(generator, noise);
                INDArray real = Nd4j.rand(DataType.FLOAT, BATCH, 1, 28, 28);
                INDArray alpha = Nd4j.rand(DataType.FLOAT, BATCH, 1, 1, 1);
                loss = criticStep.step(critic, real, fake, alpha, 1e-4).loss();
            } else {
                loss = generatorStep.step(generator, critic, noise, 1e-3);
            }
        }
        return new Result(steps, (System.nanoTime() - t0) / 1e9, loss);
    }
}

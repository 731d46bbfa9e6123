package dev.fedgan.core.gan;

/**
 * Everything that shapes one DP-FedAvg-GAN experiment. {@link #REFERENCE} holds the values of the paper's runs
 * (run_experiments.py, reference section 4): 10 clients per round, 6 critic steps per client, 6 generator steps,
 * batch 32, clip 0.1, noise multiplier 0.01, 1,000 rounds, images every 10 rounds.
 *
 * @param preset            network widths
 * @param loss              adversarial loss
 * @param penaltyWeight     WGAN-GP λ
 * @param clientSteps       critic steps per client (batches of {@code batchSize} real examples, not repeated)
 * @param generatorSteps    generator steps per round on the server
 * @param batchSize         client and server batch size
 * @param clientsPerRound   m, sampled uniformly without replacement; also the fixed denominator
 * @param rounds            rounds to run (fewer when the ε target stops the run)
 * @param differentialPrivacy false: example-weighted mean of the deltas, no clipping or noise (not private)
 * @param clip              S, bound on each client delta's global L2 norm
 * @param noiseMultiplier   z: the sum of clipped deltas gets N(0, (z·S)²) per coordinate
 * @param criticLearningRate  client SGD step size
 * @param generatorLearningRate server SGD step size
 * @param imagesEvery       rounds between pictures and evaluations (also round 0 and the last round)
 * @param checkpointEvery   rounds between checkpoints
 * @param seed              seeds initial weights, noise vectors and client batches
 */
public record GanTrainingConfig(GanPreset preset, GanLoss loss, double penaltyWeight, int clientSteps,
        int generatorSteps, int batchSize, int clientsPerRound, int rounds, boolean differentialPrivacy, double clip,
        double noiseMultiplier, double criticLearningRate, double generatorLearningRate, int imagesEvery,
        int checkpointEvery, long seed) {

    public static final GanTrainingConfig REFERENCE = new GanTrainingConfig(GanPreset.REFERENCE, GanLoss.WASSERSTEIN_GP,
            10.0, 6, 6, 32, 10, 1000, true, 0.1, 0.01, 5e-4, 5e-3, 10, 5, 1);

    /**
     * {@code fedgan debug}'s CPU demo (docs/gan.md): compact networks, 5 clients per round, 3 critic and 3
     * generator steps, learning rates 20× the paper's, 150 rounds, images every 10, checkpoints every 50; the
     * paper's clip and noise multiplier.
     */
    public static final GanTrainingConfig CPU_DEMO = new GanTrainingConfig(GanPreset.COMPACT, GanLoss.WASSERSTEIN_GP,
            10.0, 3, 3, 32, 5, 150, true, 0.1, 0.01, 0.01, 0.1, 10, 50, 1);

    public GanTrainingConfig {
        require(penaltyWeight >= 0 && penaltyWeight <= 1e4, "gradient-penalty weight must be in [0, 10000]", penaltyWeight);
        require(clientSteps >= 1 && clientSteps <= 10_000, "critic steps per client must be in [1, 10000]", clientSteps);
        require(generatorSteps >= 0 && generatorSteps <= 10_000, "generator steps per round must be in [0, 10000]", generatorSteps);
        require(batchSize >= 2 && batchSize <= 4096, "batch size must be in [2, 4096]", batchSize);
        require(clientsPerRound >= 1 && clientsPerRound <= 100_000, "clients per round must be in [1, 100000]", clientsPerRound);
        require(rounds >= 0 && rounds <= 1_000_000, "rounds must be in [0, 1000000]", rounds);
        require(clip > 0 && clip < 1e12, "clip norm S must be in (0, 1e12)", clip);
        require(noiseMultiplier >= 0 && noiseMultiplier <= 1e6, "noise multiplier z must be in [0, 1e6]", noiseMultiplier);
        require(criticLearningRate > 0 && criticLearningRate <= 10, "critic learning rate must be in (0, 10]", criticLearningRate);
        require(generatorLearningRate > 0 && generatorLearningRate <= 10, "generator learning rate must be in (0, 10]", generatorLearningRate);
        require(imagesEvery >= 1, "rounds between images must be >= 1", imagesEvery);
        require(checkpointEvery >= 1, "rounds between checkpoints must be >= 1", checkpointEvery);
    }

    private static void require(boolean ok, String what, double value) {
        if (!ok || Double.isNaN(value)) {
            throw new IllegalArgumentException(what + ", got " + (value == Math.rint(value) && Math.abs(value) < 1e15
                    ? String.valueOf((long) value) : String.valueOf(value)));
        }
    }

    public GanTrainingConfig withPreset(GanPreset p) {
        return new GanTrainingConfig(p, loss, penaltyWeight, clientSteps, generatorSteps, batchSize, clientsPerRound,
                rounds, differentialPrivacy, clip, noiseMultiplier, criticLearningRate, generatorLearningRate,
                imagesEvery, checkpointEvery, seed);
    }

    public GanTrainingConfig withRounds(int r, int every) {
        return new GanTrainingConfig(preset, loss, penaltyWeight, clientSteps, generatorSteps, batchSize, clientsPerRound,
                r, differentialPrivacy, clip, noiseMultiplier, criticLearningRate, generatorLearningRate, every,
                checkpointEvery, seed);
    }

    public GanTrainingConfig withClients(int m, int steps) {
        return new GanTrainingConfig(preset, loss, penaltyWeight, steps, steps, batchSize, m, rounds,
                differentialPrivacy, clip, noiseMultiplier, criticLearningRate, generatorLearningRate, imagesEvery,
                checkpointEvery, seed);
    }

    public GanTrainingConfig withSeed(long s) {
        return new GanTrainingConfig(preset, loss, penaltyWeight, clientSteps, generatorSteps, batchSize, clientsPerRound,
                rounds, differentialPrivacy, clip, noiseMultiplier, criticLearningRate, generatorLearningRate,
                imagesEvery, checkpointEvery, s);
    }
}

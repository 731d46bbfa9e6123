package dev.fedgan.core.gan;

import dev.fedgan.core.privacy.AdaptiveClip;
import java.util.ArrayList;
import java.util.List;

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
 * @param clientsPerRound   m, the expected clients per round: each client is sampled independently with probability
 *                          q = m/N (Poisson, so m &le; N); also the fixed denominator qN = m
 * @param rounds            rounds to run (fewer when the ε target stops the run)
 * @param differentialPrivacy false: example-weighted mean of the deltas, no clipping or noise (not private)
 * @param clip              S, bound on each client delta's global L2 norm (with adaptive clipping: the first
 *                          round's)
 * @param noiseMultiplier   z: the sum of clipped deltas gets N(0, (z·S)²) per coordinate
 * @param criticLearningRate  client SGD step size
 * @param generatorLearningRate server SGD step size
 * @param imagesEvery       rounds between pictures and evaluations (also round 0 and the last round)
 * @param checkpointEvery   rounds between checkpoints
 * @param seed              seeds initial weights, noise vectors and client batches
 * @param adaptiveClip      null: S stays fixed; otherwise S follows a quantile of the client deltas' norms
 *                          ({@link AdaptiveClip}, DP only; the deltas' sum then gets noise z_Δ·S with z_Δ &gt; z and
 *                          the run is accounted with z)
 */
public record GanTrainingConfig(GanPreset preset, GanLoss loss, double penaltyWeight, int clientSteps,
        int generatorSteps, int batchSize, int clientsPerRound, int rounds, boolean differentialPrivacy, double clip,
        double noiseMultiplier, double criticLearningRate, double generatorLearningRate, int imagesEvery,
        int checkpointEvery, long seed, AdaptiveClip adaptiveClip) {

    public static final GanTrainingConfig REFERENCE = builder()
            .preset(GanPreset.REFERENCE).loss(GanLoss.WASSERSTEIN_GP).penaltyWeight(10.0)
            .clientSteps(6).generatorSteps(6).batchSize(32).clientsPerRound(10).rounds(1000)
            .differentialPrivacy(true).clip(0.1).noiseMultiplier(0.01)
            .criticLearningRate(5e-4).generatorLearningRate(5e-3)
            .imagesEvery(10).checkpointEvery(5).seed(1).fixedClip()
            .build();

    /**
     * {@code fedgan debug}'s CPU demo (docs/gan.md): compact networks, 5 clients per round, 3 critic and 3
     * generator steps, learning rates 20× the paper's, 150 rounds, images every 10, checkpoints every 50; the
     * paper's clip and noise multiplier.
     */
    public static final GanTrainingConfig CPU_DEMO = REFERENCE.toBuilder()
            .preset(GanPreset.COMPACT).clientSteps(3).generatorSteps(3).clientsPerRound(5).rounds(150)
            .criticLearningRate(0.01).generatorLearningRate(0.1).checkpointEvery(50)
            .build();

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
        if (adaptiveClip != null) {
            if (!differentialPrivacy) {
                throw new IllegalArgumentException("adaptive clipping needs differential privacy: without it nothing"
                        + " is clipped");
            }
            adaptiveClip.checkNoise(noiseMultiplier);
        }
    }

    /** z_Δ, the noise multiplier of the deltas' sum: z with a fixed clip, larger with {@link #adaptiveClip}. */
    public double updateNoiseMultiplier() {
        return AdaptiveClip.sumNoiseMultiplier(adaptiveClip, noiseMultiplier);
    }

    private static void require(boolean ok, String what, double value) {
        if (!ok || Double.isNaN(value)) {
            throw new IllegalArgumentException(what + ", got " + (value == Math.rint(value) && Math.abs(value) < 1e15
                    ? String.valueOf((long) value) : String.valueOf(value)));
        }
    }

    public GanTrainingConfig withPreset(GanPreset p) {
        return toBuilder().preset(p).build();
    }

    /** These rounds, with images (and evaluations) every {@code every} rounds. */
    public GanTrainingConfig withRounds(int r, int every) {
        return toBuilder().rounds(r).imagesEvery(every).build();
    }

    /** {@code m} clients per round, and {@code steps} critic steps per client and generator steps per round. */
    public GanTrainingConfig withClients(int m, int steps) {
        return toBuilder().clientsPerRound(m).clientSteps(steps).generatorSteps(steps).build();
    }

    public GanTrainingConfig withSeed(long s) {
        return toBuilder().seed(s).build();
    }

    /**
     * A builder with no field set: {@link Builder#build()} requires every one of the 17, so that no setting
     * silently takes a value nobody chose. To change a few settings of a known configuration, start from
     * {@link #toBuilder()} instead (e.g. {@code CPU_DEMO.toBuilder().rounds(20).build()}).
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values, to derive a configuration that differs in a few of them. */
    public Builder toBuilder() {
        return new Builder().preset(preset).loss(loss).penaltyWeight(penaltyWeight).clientSteps(clientSteps)
                .generatorSteps(generatorSteps).batchSize(batchSize).clientsPerRound(clientsPerRound).rounds(rounds)
                .differentialPrivacy(differentialPrivacy).clip(clip).noiseMultiplier(noiseMultiplier)
                .criticLearningRate(criticLearningRate).generatorLearningRate(generatorLearningRate)
                .imagesEvery(imagesEvery).checkpointEvery(checkpointEvery).seed(seed).adaptiveClip(adaptiveClip);
    }

    /**
     * Sets the fields of a {@link GanTrainingConfig} by name (the record's 17 positional parameters are easy to
     * swap: most are numbers). A setter only stores its value; {@link #build()} checks that every field was set
     * and then calls the record's constructor, which stays the one place where values are validated, so a
     * built configuration and a constructed one are rejected for the same reasons with the same messages.
     * Not thread-safe; reusable (each {@link #build()} makes a new record).
     */
    public static final class Builder {

        private GanPreset preset;
        private GanLoss loss;
        private Double penaltyWeight;
        private Integer clientSteps;
        private Integer generatorSteps;
        private Integer batchSize;
        private Integer clientsPerRound;
        private Integer rounds;
        private Boolean differentialPrivacy;
        private Double clip;
        private Double noiseMultiplier;
        private Double criticLearningRate;
        private Double generatorLearningRate;
        private Integer imagesEvery;
        private Integer checkpointEvery;
        private Long seed;
        private AdaptiveClip adaptiveClip;
        private boolean clipRuleSet;

        private Builder() {
        }

        /** Network widths. */
        public Builder preset(GanPreset preset) {
            this.preset = preset;
            return this;
        }

        /** Adversarial loss. */
        public Builder loss(GanLoss loss) {
            this.loss = loss;
            return this;
        }

        /** WGAN-GP λ, in [0, 10000]. */
        public Builder penaltyWeight(double penaltyWeight) {
            this.penaltyWeight = penaltyWeight;
            return this;
        }

        /** Critic steps per client, in [1, 10000]. */
        public Builder clientSteps(int clientSteps) {
            this.clientSteps = clientSteps;
            return this;
        }

        /** Generator steps per round on the server, in [0, 10000]. */
        public Builder generatorSteps(int generatorSteps) {
            this.generatorSteps = generatorSteps;
            return this;
        }

        /** Client and server batch size, in [2, 4096]. */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** m, the expected clients per round (Poisson sampling, q = m/N), in [1, 100000]. */
        public Builder clientsPerRound(int clientsPerRound) {
            this.clientsPerRound = clientsPerRound;
            return this;
        }

        /** Rounds to run, in [0, 1000000]. */
        public Builder rounds(int rounds) {
            this.rounds = rounds;
            return this;
        }

        /** False: example-weighted mean of the deltas, no clipping or noise (not private). */
        public Builder differentialPrivacy(boolean differentialPrivacy) {
            this.differentialPrivacy = differentialPrivacy;
            return this;
        }

        /** S, bound on each client delta's global L2 norm, in (0, 1e12). */
        public Builder clip(double clip) {
            this.clip = clip;
            return this;
        }

        /** z, noise standard deviation in units of S, in [0, 1e6]. */
        public Builder noiseMultiplier(double noiseMultiplier) {
            this.noiseMultiplier = noiseMultiplier;
            return this;
        }

        /** Client SGD step size, in (0, 10]. */
        public Builder criticLearningRate(double criticLearningRate) {
            this.criticLearningRate = criticLearningRate;
            return this;
        }

        /** Server SGD step size, in (0, 10]. */
        public Builder generatorLearningRate(double generatorLearningRate) {
            this.generatorLearningRate = generatorLearningRate;
            return this;
        }

        /** Rounds between pictures and evaluations, ≥ 1. */
        public Builder imagesEvery(int imagesEvery) {
            this.imagesEvery = imagesEvery;
            return this;
        }

        /** Rounds between checkpoints, ≥ 1. */
        public Builder checkpointEvery(int checkpointEvery) {
            this.checkpointEvery = checkpointEvery;
            return this;
        }

        /** Seeds initial weights, noise vectors and client batches. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** S follows a quantile of the deltas' norms ({@link AdaptiveClip}); null: {@link #fixedClip()}. */
        public Builder adaptiveClip(AdaptiveClip adaptiveClip) {
            this.adaptiveClip = adaptiveClip;
            this.clipRuleSet = true;
            return this;
        }

        /** S stays what {@link #clip} set. */
        public Builder fixedClip() {
            return adaptiveClip(null);
        }

        /**
         * The configuration; the record's constructor validates the values.
         *
         * @throws IllegalStateException    naming the fields not set (a builder from {@link #builder()} has none)
         * @throws IllegalArgumentException from the record's validation, naming the setting and the value
         */
        public GanTrainingConfig build() {
            List<String> unset = new ArrayList<>();
            missing(unset, "preset", preset);
            missing(unset, "loss", loss);
            missing(unset, "penaltyWeight", penaltyWeight);
            missing(unset, "clientSteps", clientSteps);
            missing(unset, "generatorSteps", generatorSteps);
            missing(unset, "batchSize", batchSize);
            missing(unset, "clientsPerRound", clientsPerRound);
            missing(unset, "rounds", rounds);
            missing(unset, "differentialPrivacy", differentialPrivacy);
            missing(unset, "clip", clip);
            missing(unset, "noiseMultiplier", noiseMultiplier);
            missing(unset, "criticLearningRate", criticLearningRate);
            missing(unset, "generatorLearningRate", generatorLearningRate);
            missing(unset, "imagesEvery", imagesEvery);
            missing(unset, "checkpointEvery", checkpointEvery);
            missing(unset, "seed", seed);
            missing(unset, "adaptiveClip (or fixedClip())", clipRuleSet ? Boolean.TRUE : null);
            if (!unset.isEmpty()) {
                throw new IllegalStateException("GanTrainingConfig: not set: " + String.join(", ", unset));
            }
            return new GanTrainingConfig(preset, loss, penaltyWeight, clientSteps, generatorSteps, batchSize,
                    clientsPerRound, rounds, differentialPrivacy, clip, noiseMultiplier, criticLearningRate,
                    generatorLearningRate, imagesEvery, checkpointEvery, seed, adaptiveClip);
        }

        private static void missing(List<String> unset, String field, Object value) {
            if (value == null) {
                unset.add(field);
            }
        }
    }
}

package dev.fedgan.protocol;

/**
 * The GAN part of an experiment request; null fields take the defaults of {@code fedgan debug}
 * (docs/gan.md). The aggregator turns it into the core's training configuration and rejects absurd values
 * before any round starts.
 */
public record GanSettings(String preset, Integer rounds, Integer clientsPerRound, Integer criticSteps,
        Integer generatorSteps, Double criticLearningRate, Double generatorLearningRate, Double clip,
        Double noiseMultiplier, String loss, Integer imagesEvery, Long seed, Double targetEpsilon, Double delta,
        Long seededPrivacyNoise, Double clipQuantile, Double clipLearningRate, Double clipCountNoise) {

    /**
     * A builder with every setting unset (null): the aggregator gives an unset setting {@code fedgan debug}'s
     * default ({@code GanTrainingConfig.CPU_DEMO}), and the JSON omits it.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this message's values, to derive one that differs in a few of them. */
    public Builder toBuilder() {
        return new Builder()
                .preset(preset)
                .rounds(rounds)
                .clientsPerRound(clientsPerRound)
                .criticSteps(criticSteps)
                .generatorSteps(generatorSteps)
                .criticLearningRate(criticLearningRate)
                .generatorLearningRate(generatorLearningRate)
                .clip(clip)
                .noiseMultiplier(noiseMultiplier)
                .loss(loss)
                .imagesEvery(imagesEvery)
                .seed(seed)
                .targetEpsilon(targetEpsilon)
                .delta(delta)
                .seededPrivacyNoise(seededPrivacyNoise)
                .clipQuantile(clipQuantile)
                .clipLearningRate(clipLearningRate)
                .clipCountNoise(clipCountNoise);
    }

    /**
     * Sets the fields of {@link GanSettings} by name: its 18 positional parameters are mostly null, and a row of
     * nulls and numbers is easy to get wrong. A setter only stores its value (null unsets it); {@link #build()}
     * calls the record's constructor, so the JSON shape is the record's. Not thread-safe; reusable.
     */
    public static final class Builder {

        private String preset;
        private Integer rounds;
        private Integer clientsPerRound;
        private Integer criticSteps;
        private Integer generatorSteps;
        private Double criticLearningRate;
        private Double generatorLearningRate;
        private Double clip;
        private Double noiseMultiplier;
        private String loss;
        private Integer imagesEvery;
        private Long seed;
        private Double targetEpsilon;
        private Double delta;
        private Long seededPrivacyNoise;
        private Double clipQuantile;
        private Double clipLearningRate;
        private Double clipCountNoise;

        private Builder() {
        }

        /** Network widths: {@code tiny}, {@code compact} or {@code reference}. */
        public Builder preset(String preset) {
            this.preset = preset;
            return this;
        }

        /** Rounds to run. */
        public Builder rounds(Integer rounds) {
            this.rounds = rounds;
            return this;
        }

        /** m, the expected clients per round: each client is sampled with probability q = m/N (Poisson). */
        public Builder clientsPerRound(Integer clientsPerRound) {
            this.clientsPerRound = clientsPerRound;
            return this;
        }

        /** Critic steps per client. */
        public Builder criticSteps(Integer criticSteps) {
            this.criticSteps = criticSteps;
            return this;
        }

        /** Generator steps per round on the server. */
        public Builder generatorSteps(Integer generatorSteps) {
            this.generatorSteps = generatorSteps;
            return this;
        }

        /** Client SGD step size. */
        public Builder criticLearningRate(Double criticLearningRate) {
            this.criticLearningRate = criticLearningRate;
            return this;
        }

        /** Server SGD step size. */
        public Builder generatorLearningRate(Double generatorLearningRate) {
            this.generatorLearningRate = generatorLearningRate;
            return this;
        }

        /** S, bound on each client delta's L2 norm. */
        public Builder clip(Double clip) {
            this.clip = clip;
            return this;
        }

        /** z: noise standard deviation in units of S. */
        public Builder noiseMultiplier(Double noiseMultiplier) {
            this.noiseMultiplier = noiseMultiplier;
            return this;
        }

        /** {@code WASSERSTEIN_GP} or {@code NON_SATURATING}. */
        public Builder loss(String loss) {
            this.loss = loss;
            return this;
        }

        /** Rounds between pictures and evaluations. */
        public Builder imagesEvery(Integer imagesEvery) {
            this.imagesEvery = imagesEvery;
            return this;
        }

        /** Seed of initial weights, noise vectors and client batches. */
        public Builder seed(Long seed) {
            this.seed = seed;
            return this;
        }

        /** Stop a GAN before a round would take its ε above this. */
        public Builder targetEpsilon(Double targetEpsilon) {
            this.targetEpsilon = targetEpsilon;
            return this;
        }

        /**
         * The experiment's δ, for the private selection and both GANs; null: min(1e-5, N_field^-1.1) for the N_field
         * users of the data set, well below 1/N_field.
         */
        public Builder delta(Double delta) {
            this.delta = delta;
            return this;
        }

        /** Reproducible DP noise and client sampling from this seed: NOT private (tests, demos). */
        public Builder seededPrivacyNoise(Long seededPrivacyNoise) {
            this.seededPrivacyNoise = seededPrivacyNoise;
            return this;
        }

        /**
         * Adaptive clipping (Andrew et al. 2021): S is the first round's clip, then moves each round towards this
         * quantile of the client deltas' norms. Null: S stays fixed, except in a private run, whose plan clips
         * adaptively towards the median.
         */
        public Builder clipQuantile(Double clipQuantile) {
            this.clipQuantile = clipQuantile;
            return this;
        }

        /** η of adaptive clipping's geometric step (null: 0.2); needs {@link #clipQuantile}. */
        public Builder clipLearningRate(Double clipLearningRate) {
            this.clipLearningRate = clipLearningRate;
            return this;
        }

        /**
         * σ_b, the noise on adaptive clipping's count (null: max(0.05·m, z)); more than z/2, accounted within z; needs
         * {@link #clipQuantile}.
         */
        public Builder clipCountNoise(Double clipCountNoise) {
            this.clipCountNoise = clipCountNoise;
            return this;
        }

        /** The message; its constructor validates it (a failure is a {@link MessageException} naming the field). */
        public GanSettings build() {
            return new GanSettings(preset, rounds, clientsPerRound, criticSteps, generatorSteps, criticLearningRate,
                    generatorLearningRate, clip, noiseMultiplier, loss, imagesEvery, seed, targetEpsilon, delta,
                    seededPrivacyNoise, clipQuantile, clipLearningRate, clipCountNoise);
        }
    }
}

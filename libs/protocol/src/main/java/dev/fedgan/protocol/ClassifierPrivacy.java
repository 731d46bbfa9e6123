package dev.fedgan.protocol;

/**
 * The request's choice to train the primary classifier with DP-SGD (sample-level differential privacy: the unit
 * is one training example of the lab data, not a user), when the filter trains it. Null fields take the filter's
 * defaults (docs/messages.md); exactly one of {@code noiseMultiplier} and {@code targetEpsilon} must be given.
 *
 * @param clip            S, the per-example gradient L2 bound (null: 1)
 * @param noiseMultiplier z: the noise on each step's sum of clipped gradients is N(0, (zS)²)
 * @param targetEpsilon   or: choose z as the smallest keeping the planned steps within this ε (original
 *                        conversion), and stop before an epoch that would exceed it
 * @param delta           δ of the guarantee (null: min(1e-5, n^-1.1) for the n training examples)
 * @param batch           B, the expected batch size: each example is drawn with probability q = B/n (null: 256)
 * @param epochs          passes over the lab data, T = ceil(epochs·n/B) steps (null: {@code classifier_epochs}, 5)
 * @param learningRate    the SGD step size (null: 0.15)
 * @param momentum        SGD momentum in [0, 1) (null: 0)
 */
public record ClassifierPrivacy(Double clip, Double noiseMultiplier, Double targetEpsilon, Double delta, Integer batch,
        Double epochs, Double learningRate, Double momentum) {

    /** The name of the request's field, which every check's message starts with. */
    static final String FIELD = "classifier_privacy";

    public ClassifierPrivacy {
        if ((noiseMultiplier == null) == (targetEpsilon == null)) {
            throw new MessageException(FIELD + ": give either noise_multiplier or target_epsilon, not "
                    + (noiseMultiplier == null ? "neither" : "both"));
        }
        if (clip != null) {
            Check.interval(FIELD + ".clip", clip, 0, false, 1e6, true);
        }
        if (noiseMultiplier != null) {
            Check.interval(FIELD + ".noise_multiplier", noiseMultiplier, 0, false, 1000, true);
        }
        if (targetEpsilon != null) {
            Check.interval(FIELD + ".target_epsilon", targetEpsilon, 0, false, 1000, true);
        }
        if (delta != null) {
            Check.interval(FIELD + ".delta", delta, 0, false, 1, false);
        }
        if (batch != null) {
            Check.range(FIELD + ".batch", batch, 1, 1_000_000);
        }
        if (epochs != null) {
            Check.interval(FIELD + ".epochs", epochs, 0, false, 1000, true);
        }
        if (learningRate != null) {
            Check.interval(FIELD + ".learning_rate", learningRate, 0, false, 100, true);
        }
        if (momentum != null) {
            Check.interval(FIELD + ".momentum", momentum, 0, true, 1, false);
        }
    }

    /** A builder with every field unset (null); {@link Builder#build()} checks the result. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these values, to derive settings that differ in a few of them. */
    public Builder toBuilder() {
        return new Builder()
                .clip(clip)
                .noiseMultiplier(noiseMultiplier)
                .targetEpsilon(targetEpsilon)
                .delta(delta)
                .batch(batch)
                .epochs(epochs)
                .learningRate(learningRate)
                .momentum(momentum);
    }

    /**
     * Sets the fields of {@link ClassifierPrivacy} by name. A setter only stores its value (null unsets it);
     * {@link #build()} calls the record's constructor, the one place of validation. Not thread-safe; reusable.
     */
    public static final class Builder {

        private Double clip;
        private Double noiseMultiplier;
        private Double targetEpsilon;
        private Double delta;
        private Integer batch;
        private Double epochs;
        private Double learningRate;
        private Double momentum;

        private Builder() {
        }

        /** S, the per-example gradient L2 bound, in (0, 1e6] (null: 1). */
        public Builder clip(Double clip) {
            this.clip = clip;
            return this;
        }

        /** z, in (0, 1000]; give this or {@link #targetEpsilon}. */
        public Builder noiseMultiplier(Double noiseMultiplier) {
            this.noiseMultiplier = noiseMultiplier;
            return this;
        }

        /** The ε to choose z for, in (0, 1000]; give this or {@link #noiseMultiplier}. */
        public Builder targetEpsilon(Double targetEpsilon) {
            this.targetEpsilon = targetEpsilon;
            return this;
        }

        /** δ, in (0, 1) (null: min(1e-5, n^-1.1)). */
        public Builder delta(Double delta) {
            this.delta = delta;
            return this;
        }

        /** B, the expected batch size, in [1, 1000000] and at most the training examples (null: 256). */
        public Builder batch(Integer batch) {
            this.batch = batch;
            return this;
        }

        /** Passes over the lab data, in (0, 1000] (null: {@code classifier_epochs}, else 5). */
        public Builder epochs(Double epochs) {
            this.epochs = epochs;
            return this;
        }

        /** The SGD step size, in (0, 100] (null: 0.15). */
        public Builder learningRate(Double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /** SGD momentum, in [0, 1) (null: 0). */
        public Builder momentum(Double momentum) {
            this.momentum = momentum;
            return this;
        }

        /** The settings; the constructor validates them (a {@link MessageException} naming the field). */
        public ClassifierPrivacy build() {
            return new ClassifierPrivacy(clip, noiseMultiplier, targetEpsilon, delta, batch, epochs, learningRate,
                    momentum);
        }
    }
}

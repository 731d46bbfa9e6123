package dev.fedgan.protocol;

/**
 * The aggregator applied a round: the new weights, the generator's loss and the privacy spent so far.
 *
 * <p>Released (the {@code rounds} topic is what {@code fedgan watch} and image-render read): it carries nothing
 * that depends on the round's sample, neither who was sampled nor how many answered, were late or rejected, nor
 * how long the round took (docs/privacy.md). Those stay inside the trusted boundary (the aggregator's log and run
 * record).
 *
 * @param round           rounds completed (1 after the first)
 * @param generatorLoss   the generator's loss after the round's generator steps, computed on the server against
 *                        the noised critic (post-processing); null in an announcement of an earlier version
 * @param epsilon         ε under the improved conversion at {@code delta}
 * @param epsilonOriginal ε under the original 2019 conversion
 * @param finished        true on the experiment's last round (round limit or ε target)
 * @param stoppedBecause  why it finished; null otherwise
 * @param populationSize  the population's released noisy size N̂ that ε is computed for (the same as its
 *                        announcement's, which only the services may read); null from an earlier version
 */
public record RoundCompleted(int schema, String experimentId, String gan, int round, Double generatorLoss,
        double epsilon, double epsilonOriginal, double delta, ObjectRef generator, ObjectRef critic, boolean finished,
        String stoppedBecause, Integer populationSize) implements Message {

    public RoundCompleted {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.id("gan", gan);
        Check.range("round", round, 1, 1_000_000);
        Check.present("generator", generator);
        Check.present("critic", critic);
        if (populationSize != null) {
            Check.range("population_size", populationSize, 1, Integer.MAX_VALUE);
        }
    }

    /**
     * A builder with schema {@link Messages#SCHEMA}, the other fields unset (null, 0, false); the ids, a round
     * ≥ 1 and the weights are required: {@link Builder#build()} fails without them.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this message's values, to derive one that differs in a few of them. */
    public Builder toBuilder() {
        return new Builder()
                .schema(schema)
                .experimentId(experimentId)
                .gan(gan)
                .round(round)
                .generatorLoss(generatorLoss)
                .epsilon(epsilon)
                .epsilonOriginal(epsilonOriginal)
                .delta(delta)
                .generator(generator)
                .critic(critic)
                .finished(finished)
                .stoppedBecause(stoppedBecause)
                .populationSize(populationSize);
    }

    /**
     * Sets the fields of {@link RoundCompleted} by name (13 positional parameters, most of them numbers). A
     * setter only stores its value; {@link #build()} calls the record's constructor, which stays the one place
     * of validation. Not thread-safe; reusable.
     */
    public static final class Builder {

        private int schema = Messages.SCHEMA;
        private String experimentId;
        private String gan;
        private int round;
        private Double generatorLoss;
        private double epsilon;
        private double epsilonOriginal;
        private double delta;
        private ObjectRef generator;
        private ObjectRef critic;
        private boolean finished;
        private String stoppedBecause;
        private Integer populationSize;

        private Builder() {
        }

        /** The schema version; {@link Messages#SCHEMA} unless set. */
        public Builder schema(int schema) {
            this.schema = schema;
            return this;
        }

        public Builder experimentId(String experimentId) {
            this.experimentId = experimentId;
            return this;
        }

        public Builder gan(String gan) {
            this.gan = gan;
            return this;
        }

        /** Rounds completed (1 after the first). */
        public Builder round(int round) {
            this.round = round;
            return this;
        }

        /** The generator's loss after the round, computed on the server (post-processing of the noised critic). */
        public Builder generatorLoss(Double generatorLoss) {
            this.generatorLoss = generatorLoss;
            return this;
        }

        /** ε under the improved conversion at {@code delta}. */
        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /** ε under the original 2019 conversion. */
        public Builder epsilonOriginal(double epsilonOriginal) {
            this.epsilonOriginal = epsilonOriginal;
            return this;
        }

        public Builder delta(double delta) {
            this.delta = delta;
            return this;
        }

        public Builder generator(ObjectRef generator) {
            this.generator = generator;
            return this;
        }

        public Builder critic(ObjectRef critic) {
            this.critic = critic;
            return this;
        }

        /** True on the experiment's last round (round limit or ε target). */
        public Builder finished(boolean finished) {
            this.finished = finished;
            return this;
        }

        /** Why it finished; null otherwise. */
        public Builder stoppedBecause(String stoppedBecause) {
            this.stoppedBecause = stoppedBecause;
            return this;
        }

        /** The released noisy population size N̂ that ε is computed for. */
        public Builder populationSize(Integer populationSize) {
            this.populationSize = populationSize;
            return this;
        }

        /** The message; its constructor validates it (a failure is a {@link MessageException} naming the field). */
        public RoundCompleted build() {
            return new RoundCompleted(schema, experimentId, gan, round, generatorLoss, epsilon, epsilonOriginal, delta,
                    generator, critic, finished, stoppedBecause, populationSize);
        }
    }
}

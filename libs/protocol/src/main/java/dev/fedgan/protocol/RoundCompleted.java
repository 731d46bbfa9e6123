package dev.fedgan.protocol;

import java.util.List;

/**
 * The aggregator applied a round: the new weights, who took part, and the privacy spent so far.
 *
 * @param round           rounds completed (1 after the first)
 * @param clients         the sampled clients
 * @param received        updates counted
 * @param late            updates that arrived after the round closed
 * @param rejected        updates rejected (non-finite, wrong shape, corrupt)
 * @param epsilon         ε under the improved conversion at {@code delta}
 * @param epsilonOriginal ε under the original 2019 conversion
 * @param finished        true on the experiment's last round (round limit or ε target)
 * @param stoppedBecause  why it finished; null otherwise
 */
public record RoundCompleted(int schema, String experimentId, String gan, int round, List<String> clients, int received,
        int late, int rejected, double epsilon, double epsilonOriginal, double delta, ObjectRef generator, ObjectRef critic,
        double seconds, boolean finished, String stoppedBecause) implements Message {

    public RoundCompleted {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.id("gan", gan);
        Check.range("round", round, 1, 1_000_000);
        Check.present("generator", generator);
        Check.present("critic", critic);
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
                .clients(clients)
                .received(received)
                .late(late)
                .rejected(rejected)
                .epsilon(epsilon)
                .epsilonOriginal(epsilonOriginal)
                .delta(delta)
                .generator(generator)
                .critic(critic)
                .seconds(seconds)
                .finished(finished)
                .stoppedBecause(stoppedBecause);
    }

    /**
     * Sets the fields of {@link RoundCompleted} by name (16 positional parameters, most of them numbers). A
     * setter only stores its value; {@link #build()} calls the record's constructor, which stays the one place
     * of validation. Not thread-safe; reusable.
     */
    public static final class Builder {

        private int schema = Messages.SCHEMA;
        private String experimentId;
        private String gan;
        private int round;
        private List<String> clients;
        private int received;
        private int late;
        private int rejected;
        private double epsilon;
        private double epsilonOriginal;
        private double delta;
        private ObjectRef generator;
        private ObjectRef critic;
        private double seconds;
        private boolean finished;
        private String stoppedBecause;

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

        /** The sampled clients. */
        public Builder clients(List<String> clients) {
            this.clients = clients;
            return this;
        }

        /** Updates counted. */
        public Builder received(int received) {
            this.received = received;
            return this;
        }

        /** Updates that arrived after the round closed. */
        public Builder late(int late) {
            this.late = late;
            return this;
        }

        /** Updates rejected (non-finite, wrong shape, corrupt). */
        public Builder rejected(int rejected) {
            this.rejected = rejected;
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

        public Builder seconds(double seconds) {
            this.seconds = seconds;
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

        /** The message; its constructor validates it (a failure is a {@link MessageException} naming the field). */
        public RoundCompleted build() {
            return new RoundCompleted(schema, experimentId, gan, round, clients, received, late, rejected, epsilon,
                    epsilonOriginal, delta, generator, critic, seconds, finished, stoppedBecause);
        }
    }
}

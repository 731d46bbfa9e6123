package dev.fedgan.protocol;

/**
 * A client's critic delta is stored. The aggregator counts the first one per (experiment, gan, round, client) and
 * re-clips it itself: it never trusts a client's clipping.
 */
public record ClientUpdateReady(int schema, String experimentId, String gan, int round, String clientId, ObjectRef delta,
        int realExamples, int steps, boolean nonFinite, double loss) implements Message {

    public ClientUpdateReady {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.id("gan", gan);
        Check.range("round", round, 0, 1_000_000);
        Check.id("client_id", clientId);
        Check.present("delta", delta);
        Check.range("real_examples", realExamples, 0, Integer.MAX_VALUE);
    }

    /**
     * A builder with schema {@link Messages#SCHEMA}, the other fields unset (null, 0, false); the ids and the
     * delta are required: {@link Builder#build()} fails without them.
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
                .clientId(clientId)
                .delta(delta)
                .realExamples(realExamples)
                .steps(steps)
                .nonFinite(nonFinite)
                .loss(loss);
    }

    /**
     * Sets the fields of {@link ClientUpdateReady} by name (10 positional parameters, most of them numbers). A
     * setter only stores its value; {@link #build()} calls the record's constructor, which stays the one place
     * of validation. Not thread-safe; reusable.
     */
    public static final class Builder {

        private int schema = Messages.SCHEMA;
        private String experimentId;
        private String gan;
        private int round;
        private String clientId;
        private ObjectRef delta;
        private int realExamples;
        private int steps;
        private boolean nonFinite;
        private double loss;

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

        public Builder round(int round) {
            this.round = round;
            return this;
        }

        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        public Builder delta(ObjectRef delta) {
            this.delta = delta;
            return this;
        }

        public Builder realExamples(int realExamples) {
            this.realExamples = realExamples;
            return this;
        }

        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        public Builder nonFinite(boolean nonFinite) {
            this.nonFinite = nonFinite;
            return this;
        }

        public Builder loss(double loss) {
            this.loss = loss;
            return this;
        }

        /** The message; its constructor validates it (a failure is a {@link MessageException} naming the field). */
        public ClientUpdateReady build() {
            return new ClientUpdateReady(schema, experimentId, gan, round, clientId, delta, realExamples, steps,
                    nonFinite, loss);
        }
    }
}

package dev.fedgan.protocol;

/**
 * One sampled client's work in one round: train the broadcast critic against the broadcast generator on the
 * client's data and report the delta.
 *
 * @param clientSeed seed of the client's noise vectors and interpolation weights
 * @param settings   the experiment's GAN settings (preset, steps, learning rate, loss)
 * @param updatePartition the partition of {@code client-updates} the update goes to: the aggregator shard that sums
 *                   it (null: keyed by experiment, as before shards)
 * @param group      the clients trained together with this one, after it, in the round plan's order (a small critic's
 *                   clients train in groups, the core's {@code ClientGroupTraining}); null or empty: this client alone
 */
public record RoundTask(int schema, String experimentId, String gan, int round, String clientId, ObjectRef generator,
        ObjectRef critic, long clientSeed, GanSettings settings, String data, double invertProbability, long bugSeed,
        Integer updatePartition, java.util.List<Member> group) implements Message {

    /** A further client of a group task: its id, seed and update partition, as a task of its own would carry them. */
    public record Member(String clientId, long clientSeed, Integer updatePartition) {
        public Member {
            Check.id("client_id", clientId);
            if (updatePartition != null) {
                Check.range("update_partition", updatePartition, 0, 1_000_000);
            }
        }
    }

    /** A task of one client. */
    public RoundTask(int schema, String experimentId, String gan, int round, String clientId, ObjectRef generator,
            ObjectRef critic, long clientSeed, GanSettings settings, String data, double invertProbability,
            long bugSeed, Integer updatePartition) {
        this(schema, experimentId, gan, round, clientId, generator, critic, clientSeed, settings, data,
                invertProbability, bugSeed, updatePartition, null);
    }

    /** Every client of the task, this one first. */
    public java.util.List<Member> clients() {
        java.util.List<Member> all = new java.util.ArrayList<>();
        all.add(new Member(clientId, clientSeed, updatePartition));
        if (group != null) {
            all.addAll(group);
        }
        return all;
    }

    public RoundTask {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.id("gan", gan);
        Check.range("round", round, 0, 1_000_000);
        Check.id("client_id", clientId);
        Check.present("generator", generator);
        Check.present("critic", critic);
        Check.text("data", data);
        if (updatePartition != null) {
            Check.range("update_partition", updatePartition, 0, 1_000_000);
        }
        if (group != null) {
            Check.range("group size", group.size(), 0, 63);
            for (Member m : group) {
                Check.present("group member", m);
            }
            group = java.util.List.copyOf(group);
        }
    }

    /**
     * A builder with schema {@link Messages#SCHEMA}, the other fields unset (null, 0); the ids, the weights and
     * {@code data} are required: {@link Builder#build()} fails without them.
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
                .generator(generator)
                .critic(critic)
                .clientSeed(clientSeed)
                .settings(settings)
                .data(data)
                .invertProbability(invertProbability)
                .bugSeed(bugSeed)
                .updatePartition(updatePartition)
                .group(group);
    }

    /**
     * Sets the fields of {@link RoundTask} by name (12 positional parameters, several of them numbers). A setter
     * only stores its value; {@link #build()} calls the record's constructor, which stays the one place of
     * validation. Not thread-safe; reusable.
     */
    public static final class Builder {

        private int schema = Messages.SCHEMA;
        private String experimentId;
        private String gan;
        private int round;
        private String clientId;
        private ObjectRef generator;
        private ObjectRef critic;
        private long clientSeed;
        private GanSettings settings;
        private String data;
        private double invertProbability;
        private long bugSeed;
        private Integer updatePartition;
        private java.util.List<Member> group;

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

        public Builder generator(ObjectRef generator) {
            this.generator = generator;
            return this;
        }

        public Builder critic(ObjectRef critic) {
            this.critic = critic;
            return this;
        }

        /** Seed of the client's noise vectors and interpolation weights. */
        public Builder clientSeed(long clientSeed) {
            this.clientSeed = clientSeed;
            return this;
        }

        /** The experiment's GAN settings (preset, steps, learning rate, loss). */
        public Builder settings(GanSettings settings) {
            this.settings = settings;
            return this;
        }

        public Builder data(String data) {
            this.data = data;
            return this;
        }

        public Builder invertProbability(double invertProbability) {
            this.invertProbability = invertProbability;
            return this;
        }

        public Builder bugSeed(long bugSeed) {
            this.bugSeed = bugSeed;
            return this;
        }

        public Builder updatePartition(Integer updatePartition) {
            this.updatePartition = updatePartition;
            return this;
        }

        /** The clients trained with this one (null or empty: none). */
        public Builder group(java.util.List<Member> group) {
            this.group = group;
            return this;
        }

        /** The message; its constructor validates it (a failure is a {@link MessageException} naming the field). */
        public RoundTask build() {
            return new RoundTask(schema, experimentId, gan, round, clientId, generator, critic, clientSeed, settings,
                    data, invertProbability, bugSeed, updatePartition, group);
        }
    }
}

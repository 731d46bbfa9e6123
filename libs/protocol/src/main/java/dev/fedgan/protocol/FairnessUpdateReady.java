package dev.fedgan.protocol;

/**
 * A user's update in a round of a federated fairness point is stored ({@code fairness-updates}, keyed by sweep): the
 * answer to a {@link FairnessRoundTask}, read only by the aggregator, which clips, sums and noises it. The update is
 * unnoised and never released.
 *
 * @param run    the aggregator's run of the point, as the task said
 * @param round  the round, from 1
 * @param user   the user's index among the point's users
 * @param update the stored update (local minus server weights, flat)
 */
public record FairnessUpdateReady(int schema, String experimentId, int point, String run, int round, int user,
        ObjectRef update) implements Message {

    public FairnessUpdateReady {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.range("point", point, 0, 100_000);
        Check.id("run", run);
        Check.range("round", round, 1, 1_000_000);
        Check.range("user", user, 0, 100_000_000);
        Check.present("update", update);
    }
}

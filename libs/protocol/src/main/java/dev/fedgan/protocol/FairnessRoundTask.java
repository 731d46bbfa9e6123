package dev.fedgan.protocol;

/**
 * One user's local training in a round of a federated fairness point ({@code fairness-rounds}, keyed by sweep, point
 * and user): the aggregator runs the point's rounds and sends a task per user it drew; a client-update replica
 * trains the round's weights on that user's examples and answers with a {@link FairnessUpdateReady}. A replica
 * acknowledges the task only once its answer is on the broker.
 *
 * @param point   the point's index in the sweep's order, in [0, points)
 * @param points  the sweep's number of points
 * @param sweep   the stored sweep (its data and options)
 * @param run     the aggregator's run of the point (a point redelivered after a crash runs anew, under a new run)
 * @param round   the round, from 1
 * @param user    the user's index among the point's users
 * @param seed    the seed of the user's shuffles
 * @param weights the round's server weights (flat)
 */
public record FairnessRoundTask(int schema, String experimentId, int point, int points, ObjectRef sweep, String run,
        int round, int user, long seed, ObjectRef weights) implements Message {

    public FairnessRoundTask {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.range("points", points, 1, 100_000);
        Check.range("point", point, 0, points - 1);
        Check.present("sweep", sweep);
        Check.id("run", run);
        Check.range("round", round, 1, 1_000_000);
        Check.range("user", user, 0, 100_000_000);
        Check.present("weights", weights);
    }
}

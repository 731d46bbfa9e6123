package dev.fedgan.protocol;

/**
 * One point of a fairness sweep to train and measure ({@code fairness-points}, keyed by sweep and point so the points
 * spread over the partitions and the workers). A worker acknowledges it only once its {@link FairnessPointDone} is
 * on the broker: a worker that dies mid-point leaves the point to be redelivered to another.
 *
 * @param point  the point's index in the sweep's order (shares outermost, then settings), in [0, points)
 * @param points the sweep's number of points
 * @param sweep  the stored sweep (its data and options)
 */
public record FairnessPointTask(int schema, String experimentId, int point, int points, ObjectRef sweep)
        implements Message {

    public FairnessPointTask {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.range("points", points, 1, 100_000);
        Check.range("point", point, 0, points - 1);
        Check.present("sweep", sweep);
    }
}

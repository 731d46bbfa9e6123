package dev.fedgan.protocol;

/**
 * A worker trained and measured one point of a fairness sweep ({@code fairness-results}, keyed by sweep): its
 * result is stored; image-render writes the sweep's files once every point's result is.
 *
 * @param point  the point's index in the sweep's order, in [0, points)
 * @param points the sweep's number of points
 * @param result the stored point (per-group metrics, gradient norms and guarantee, as JSON)
 */
public record FairnessPointDone(int schema, String experimentId, int point, int points, ObjectRef result)
        implements Message {

    public FairnessPointDone {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.range("points", points, 1, 100_000);
        Check.range("point", point, 0, points - 1);
        Check.present("result", result);
    }
}

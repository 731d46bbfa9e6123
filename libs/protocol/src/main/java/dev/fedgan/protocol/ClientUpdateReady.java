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
}

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
}

package dev.fedgan.protocol;

import java.util.List;

/**
 * A round's plan for one aggregator shard: the round's owner writes it to each partition of {@code client-updates}
 * that its sampled clients answer on, before their tasks go out, so that it precedes their updates in that
 * partition. The shard holding the partition sums the updates of exactly these clients into the round's share
 * ({@code RoundShare}) until all of them answered or a {@link RoundClosing} for the same plan follows. Read and
 * written only by the aggregator.
 *
 * @param plan        the owner's id of this sample of the round: a round redrawn (after a restart, or abandoned
 *                    without DP) has a new one, and shares of another plan do not count
 * @param clients     the sampled clients whose tasks name this partition for their update
 * @param clipNorm    S of the round (each delta is clipped to it), or null without DP (example-weighted sum)
 * @param criticLength the critic's weights: the length every delta must have
 */
public record RoundOpened(int schema, String experimentId, String gan, int round, String plan, List<String> clients,
        Double clipNorm, int criticLength) implements Message {

    public RoundOpened {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.id("gan", gan);
        Check.range("round", round, 0, 1_000_000);
        Check.id("plan", plan);
        Check.present("clients", clients);
        clients.forEach(c -> Check.id("clients[]", c));
        if (clipNorm != null) {
            Check.interval("clip_norm", clipNorm, 0, false, Double.MAX_VALUE, true);
        }
        Check.range("critic_length", criticLength, 1, Integer.MAX_VALUE);
        clients = List.copyOf(clients);
    }
}

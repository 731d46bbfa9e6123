package dev.fedgan.protocol;

/**
 * A shard's share of a round is stored ({@code round-shares}, keyed by experiment, so that the replica owning the
 * experiment's runs receives it): the clipped, un-noised sum of the updates that one partition of
 * {@code client-updates} carried for the plan. The owner adds the shares, the noise once, and completes the round.
 * A share is not private: it stays in the aggregator's storage, and this topic is the aggregator's alone.
 *
 * @param plan      the plan of the {@link RoundOpened} it answers
 * @param partition the partition of {@code client-updates} it sums
 * @param share     the stored share; absent when the shard is the run's owner itself, which holds it in memory (it
 *                  never leaves the process; were the owner to die, the round would be redrawn anyway)
 * @param rejected  updates of the plan's clients whose deltas could not be used (they count as not answered)
 * @param late      updates on that partition that did not count (another round, not in the plan)
 */
public record ShareReady(int schema, String experimentId, String gan, int round, String plan, int partition,
        ObjectRef share, int rejected, int late) implements Message {

    public ShareReady {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.id("gan", gan);
        Check.range("round", round, 0, 1_000_000);
        Check.id("plan", plan);
        Check.range("partition", partition, 0, 1_000_000);
        Check.range("rejected", rejected, 0, Integer.MAX_VALUE);
        Check.range("late", late, 0, Integer.MAX_VALUE);
    }
}

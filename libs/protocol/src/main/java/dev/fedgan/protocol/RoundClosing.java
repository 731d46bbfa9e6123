package dev.fedgan.protocol;

/**
 * A round's deadline has passed: its owner writes this to each partition of {@code client-updates} whose share it has
 * not received, and the shard holding the partition sends the share with the updates that came before this record
 * (the partition's order makes the cut the same for whichever replica reads it, also after a redelivery). Read and
 * written only by the aggregator.
 *
 * @param plan the plan of the {@link RoundOpened} it closes
 */
public record RoundClosing(int schema, String experimentId, String gan, int round, String plan) implements Message {

    public RoundClosing {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.id("gan", gan);
        Check.range("round", round, 0, 1_000_000);
        Check.id("plan", plan);
    }
}

package dev.fedgan.clientupdate;

/**
 * The reply to a {@link RoundTask}, schema 1: the critic's weight count and the global L2 norm of its trainable
 * weights. A stand-in for the real client update (a clipped, noised delta stored in S3).
 */
public record ClientUpdate(int schema, String experiment, int round, String client, long weights, double norm) {
}

package dev.fedgan.core.gan;

/**
 * What one client sends back after its critic steps (reference section 4.3): the change of every critic weight,
 * batch-norm statistics included, flattened in {@link NetworkWeights} order. A delta with any NaN or infinite
 * value is replaced by zeros and marked, so the server can count it and give it no weight.
 *
 * @param clientId     the writer
 * @param round        the round it belongs to
 * @param delta        trained minus broadcast critic weights
 * @param realExamples real examples used (the non-DP mean's weight)
 * @param steps        critic steps taken (fewer than configured when the client has fewer batches)
 * @param nonFinite    the computed delta had NaN/Inf and was zeroed
 * @param loss         critic loss of the last step
 */
public record ClientUpdate(String clientId, int round, float[] delta, int realExamples, int steps, boolean nonFinite,
        double loss) {
}

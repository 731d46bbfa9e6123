package dev.fedgan.core.privacy;

/**
 * An epsilon and the Renyi order that achieves it (the minimum over the accountant's orders).
 *
 * @param epsilon the epsilon of the (epsilon, delta) guarantee; may be infinite (no guarantee)
 * @param order   the best order alpha
 */
public record Epsilon(double epsilon, double order) {
}

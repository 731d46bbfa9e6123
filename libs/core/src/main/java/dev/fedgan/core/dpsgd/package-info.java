/**
 * Sample-level DP-SGD (Abadi et al. 2016) with fast per-example clipping: a small network engine over ND4J whose
 * layers keep, from one batched forward and backward pass, what each example's gradient is made of (the layer input
 * and the gradient of the layer output), compute every example's gradient norm from it (ghost norms, or
 * per-example gradients where those are cheaper), and obtain the clipped sum by book-keeping: each layer's weight
 * gradient recomputed once from the stored output gradients scaled by the examples' clip factors, with no second
 * backward pass (Li et al. 2021; Bu et al. 2022). No service imports: the CLI and the filter wrap it.
 */
package dev.fedgan.core.dpsgd;

/**
 * Fairness of private training under group imbalance: training sets with a chosen share of a majority group
 * ({@link dev.fedgan.core.fairness.ImbalanceSampler}), per-group metrics from confusion matrices
 * ({@link dev.fedgan.core.fairness.GroupMetrics}), per-example gradient norms by group and class, and the sweep over
 * shares and training modes ({@link dev.fedgan.core.fairness.FairnessSweep}) that {@code fedgan fairness} runs.
 */
package dev.fedgan.core.fairness;

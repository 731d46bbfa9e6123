/**
 * The aggregator service: owns every GAN's rounds on the server side (broadcast weights, round tasks, DP
 * aggregation of the client deltas, generator steps, privacy accounting), knowing the client ids but never their
 * data.
 */
package dev.fedgan.aggregator;

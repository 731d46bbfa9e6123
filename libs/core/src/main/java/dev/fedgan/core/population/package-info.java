/**
 * Choosing the writers each GAN trains on: the private selection ({@code PrivateSelection}: each simulated
 * {@code Device} decides its membership, the server learns a noisy histogram and noisy population sizes), the
 * by_user (low/high accuracy) and by_example (correct/incorrect) filters, and the populations' files in the
 * reference repository's CSV layout with a JSON summary (simulation ground truth). Like all of
 * the core, it must not depend on Quarkus, Kafka or object storage (enforced for the module by maven-enforcer).
 */
package dev.fedgan.core.population;

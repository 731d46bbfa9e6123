/**
 * Differential privacy of the federated training: the DP-FedAvg aggregate (clip, sum, Gaussian noise), secure or
 * seeded AES-CTR randomness, client sampling, and the RDP accountant that turns rounds into an (epsilon, delta)
 * statement. Like all of the core, it must not depend on Quarkus, Kafka or object storage (enforced for the module
 * by maven-enforcer).
 */
package dev.fedgan.core.privacy;

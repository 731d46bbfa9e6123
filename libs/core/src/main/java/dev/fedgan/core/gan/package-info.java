/**
 * DP-FedAvg-GAN in one JVM: the reference generator and critic as SameDiff graphs, the client critic steps and
 * server generator steps, rounds with DP aggregation, checkpoints, evaluation and drawing, and the low- versus
 * high-accuracy comparison; the services run the same classes one step at a time. Like all of the core, it must
 * not depend on Quarkus, Kafka or object storage (enforced for the module by maven-enforcer).
 */
package dev.fedgan.core.gan;

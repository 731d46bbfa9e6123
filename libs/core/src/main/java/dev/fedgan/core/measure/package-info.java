/**
 * The per-writer measurement of the primary classifier on the field data with the bug applied: per-writer
 * accuracy, the 100-bin histogram, the 25th/75th percentiles, and their CSV and JSON files. Computed centrally, it
 * is per-user ground truth: the lab tools' output, and in the private selection the simulation of every device
 * measuring itself, kept under {@code simulation/} and never released. Like all of the core,
 * it must not depend on Quarkus, Kafka or object storage (enforced for the module by maven-enforcer).
 */
package dev.fedgan.core.measure;

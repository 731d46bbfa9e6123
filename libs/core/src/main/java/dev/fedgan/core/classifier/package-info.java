/**
 * The primary classifier being debugged: the reference EMNIST CNN (DL4J), its central training on normal data,
 * batched SameDiff inference, and the provenance saved with it. Like all of the core, it must not depend on
 * Quarkus, Kafka or object storage (enforced for the module by maven-enforcer).
 */
package dev.fedgan.core.classifier;

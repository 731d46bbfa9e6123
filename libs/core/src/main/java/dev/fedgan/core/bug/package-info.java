/**
 * The simulated bug under debugging: the image inversion that an "app update" gives to a random fraction of the
 * writers, drawn reproducibly per writer from a seed. Like all of the core, it must not depend on Quarkus, Kafka
 * or object storage (enforced for the module by maven-enforcer).
 */
package dev.fedgan.core.bug;

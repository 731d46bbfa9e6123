/**
 * Pictures of a run drawn with Java 2D: image grids exactly as the reference saves them, the low-versus-high
 * side-by-side picture, the animated GIF over training and the per-writer accuracy histogram. Like all of the
 * core, it must not depend on Quarkus, Kafka or object storage (enforced for the module by maven-enforcer).
 */
package dev.fedgan.core.render;

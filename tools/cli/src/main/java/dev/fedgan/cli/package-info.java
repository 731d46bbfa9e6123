/**
 * The fedgan command line (picocli): the debugging workflow in one JVM on the core, the local demo that starts the
 * dev stack and the services, and the Kafka and S3 clients that submit, watch and fetch experiments. It must not
 * depend on the Quarkus service runtime; only the benchmarks depend on it.
 */
package dev.fedgan.cli;

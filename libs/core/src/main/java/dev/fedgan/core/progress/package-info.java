/**
 * How the core reports progress of long work without knowing who draws it: a terminal bar in the CLI, log lines
 * and gauges in a service, nothing in tests. It must not depend on Quarkus, Kafka, object storage or any terminal
 * code.
 */
package dev.fedgan.core.progress;

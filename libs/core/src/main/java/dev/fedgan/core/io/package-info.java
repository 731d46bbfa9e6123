/**
 * File helpers shared by the core: atomic writes, deleting directory trees, the one JSON mapper (snake_case) and
 * the build versions recorded in provenance files. Local files only: it must not depend on Quarkus, Kafka or
 * object storage.
 */
package dev.fedgan.core.io;

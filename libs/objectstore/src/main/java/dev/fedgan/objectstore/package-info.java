/**
 * One bucket of an S3-compatible object store through the MinIO client: checksummed puts and gets, retries of
 * transient failures, and storage errors that say whether retrying can help. It must not depend on Quarkus or
 * Kafka, nor on the core: the command line and the services share it.
 */
package dev.fedgan.objectstore;

/**
 * Federated data in fedgan's internal form (per-writer 28x28 images in [-1, 1], background -1) and its loaders:
 * the bundled MNIST digits, TFF HDF5, LEAF JSON and IDX files, with format detection, checks that name file and
 * writer, and synthetic writer partitions. Plain Java with no ND4J: it must not depend on Quarkus, Kafka or object
 * storage.
 */
package dev.fedgan.core.data;

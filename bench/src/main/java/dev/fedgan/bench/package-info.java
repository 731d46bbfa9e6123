/**
 * Benchmarks and probes behind docs/benchmarks.md: classifier throughput, a DP-FedAvg-GAN round at the paper's
 * size, the DP noise, the weights' file format, the object store and the services' plumbing. Not part of any
 * shipped module: nothing may depend on it.
 */
package dev.fedgan.bench;

/**
 * Evaluation figures of a GAN run computed from the generator's output (classifier score, Frechet classifier
 * distance, mean pixel and the polarity that shows the inversion bug). Pure arithmetic on arrays: it must not
 * depend on Quarkus, Kafka or object storage.
 */
package dev.fedgan.core.gan.eval;

/**
 * The image-render service: draws what each GAN generates over training from the stored generators, exactly as the
 * one-JVM experiment does (same noise, metrics and files), and writes the comparison and the report once both GANs
 * are done.
 */
package dev.fedgan.imagerender;

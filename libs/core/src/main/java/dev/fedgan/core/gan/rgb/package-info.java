/**
 * The 64×64 RGB DCGAN: its networks on the per-example engine ({@link dev.fedgan.core.gan.rgb.DcganNetworks}), so
 * that each client's discriminator can be trained with DP-SGD.
 */
package dev.fedgan.core.gan.rgb;

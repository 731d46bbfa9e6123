package dev.fedgan.core.gan;

import java.util.List;
import java.util.Locale;

/**
 * The widths of the reference generator and critic (reference section 2.2, 2.3). Every preset has the same
 * structure: generator noise → dense → BN → dense to 7×7×C → BN → two stride-2 4×4 transposed convolutions
 * (each with BN) → a 4×4 convolution with tanh to 28×28×1; critic two stride-2 4×4 convolutions → dense → BN →
 * dense 1. Only the widths differ, so a preset is data.
 *
 * @param name              preset name as used on the command line
 * @param noiseDim          generator input size (reference 128)
 * @param generatorDense    first generator dense layer (1024)
 * @param generatorChannels channels of the 7×7 map the second dense layer produces (256)
 * @param generatorDeconv1  channels after the first transposed convolution, 14×14 (64)
 * @param generatorDeconv2  channels after the second transposed convolution, 28×28 (32)
 * @param criticConv1       channels of the critic's first convolution, 14×14 (64)
 * @param criticConv2       channels of the critic's second convolution, 7×7 (128)
 * @param criticDense       the critic's hidden dense layer (1024)
 * @param criticBatchNorm   whether the critic's dense layer is batch-normalised (the reference's); without it the
 *                          layer keeps only its β, as a bias
 */
public record GanPreset(String name, int noiseDim, int generatorDense, int generatorChannels, int generatorDeconv1,
        int generatorDeconv2, int criticConv1, int criticConv2, int criticDense, boolean criticBatchNorm) {

    /** The networks of the paper: 13,285,217 generator and 6,556,865 critic trainable parameters. */
    public static final GanPreset REFERENCE = new GanPreset("reference", 128, 1024, 256, 64, 32, 64, 128, 1024, true);
    /** Same structure, about 1/16 of the arithmetic: the CPU default for demos. */
    public static final GanPreset COMPACT = new GanPreset("compact", 64, 256, 64, 32, 16, 32, 64, 256, true);
    /**
     * The compact generator with a critic of 8, 16 and 32 channels (27,417 weights, 1/30 of compact's) and no batch
     * norm. Under DP the noise on the mean update has a norm of z·S/m·√(weights), so a small critic keeps it near
     * the clipped signal, and clients train 30 times faster; the generator trains on the server at no privacy cost.
     * Batch norm standardises each batch (real, generated, interpolated) with its own statistics, which removes a
     * shift shared by the whole batch: the inversion's signature, a uniform change of brightness, then reaches the
     * critic's score only through a nonlinearity, and on Fashion-MNIST the critic does not learn it.
     */
    public static final GanPreset PRIVATE = new GanPreset("private", 64, 256, 64, 32, 16, 8, 16, 32, false);
    /** Small enough for unit tests and float64 finite-difference checks. */
    public static final GanPreset TINY = new GanPreset("tiny", 8, 16, 4, 4, 2, 2, 4, 8, true);

    public static final List<GanPreset> ALL = List.of(REFERENCE, COMPACT, PRIVATE, TINY);

    public GanPreset {
        for (int v : new int[] {noiseDim, generatorDense, generatorChannels, generatorDeconv1, generatorDeconv2,
            criticConv1, criticConv2, criticDense}) {
            if (v < 1 || v > 65_536) {
                throw new IllegalArgumentException("preset " + name + ": every width must be in [1, 65536], got " + v);
            }
        }
    }

    public static GanPreset named(String name) {
        for (GanPreset p : ALL) {
            if (p.name.equals(name.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown GAN preset '" + name + "' (known: reference, compact, private, tiny)");
    }

    /** Trainable generator parameters: kernels and BN β (BN has no γ: Keras scale=False). */
    public long generatorTrainable() {
        long spatial = 7L * 7 * generatorChannels;
        return (long) noiseDim * generatorDense + generatorDense
                + generatorDense * spatial + spatial
                + 16L * generatorChannels * generatorDeconv1 + generatorDeconv1
                + 16L * generatorDeconv1 * generatorDeconv2 + generatorDeconv2
                + 16L * generatorDeconv2 + 1;
    }

    /** Trainable critic parameters: kernels, biases and the dense layer's BN β. */
    public long criticTrainable() {
        return 16L * criticConv1 + criticConv1
                + 16L * criticConv1 * criticConv2 + criticConv2
                + 49L * criticConv2 * criticDense + criticDense
                + criticDense + 1;
    }

    /** Forward FLOPs of the generator per example (2 per multiply-add; dense and convolution layers). */
    public double generatorForwardFlops() {
        return 2.0 * ((double) noiseDim * generatorDense + 49.0 * generatorDense * generatorChannels
                + 49.0 * 16 * generatorChannels * generatorDeconv1 + 196.0 * 16 * generatorDeconv1 * generatorDeconv2
                + 784.0 * 16 * generatorDeconv2);
    }

    /** Forward FLOPs of the critic per example (2 per multiply-add; dense and convolution layers). */
    public double criticForwardFlops() {
        return 2.0 * (196.0 * 16 * criticConv1 + 49.0 * 16 * criticConv1 * criticConv2 + 49.0 * criticConv2 * criticDense
                + criticDense);
    }

    /** Every critic weight a client sends: trainable ones plus the BN moving mean and variance. */
    public long criticWeights() {
        return criticTrainable() + 2L * criticDense;
    }
}

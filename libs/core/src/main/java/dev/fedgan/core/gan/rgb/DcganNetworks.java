package dev.fedgan.core.gan.rgb;

import dev.fedgan.core.dpsgd.Activation;
import dev.fedgan.core.dpsgd.Conv2d;
import dev.fedgan.core.dpsgd.ConvTranspose2d;
import dev.fedgan.core.dpsgd.Flatten;
import dev.fedgan.core.dpsgd.Layer;
import dev.fedgan.core.dpsgd.Network;
import dev.fedgan.core.dpsgd.Normalization;
import dev.fedgan.core.dpsgd.Window;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The 64×64 RGB DCGAN (Radford et al. 2016) on the per-example engine, so that each client's discriminator can be
 * trained with DP-SGD. No layer has a bias.
 * <ul>
 *   <li>Discriminator: conv 3→ndf 4×4 s2 p1, LeakyReLU 0.2; ndf→2ndf, 2ndf→4ndf, 4ndf→8ndf (each 4×4 s2 p1, then
 *       GroupNorm, LeakyReLU 0.2); 8ndf→1 4×4 s1 p0: one logit per image (the loss applies the sigmoid).</li>
 *   <li>Generator: the mirror from a {@value #NOISE}-d noise vector ([{@value #NOISE}, 1, 1]): transposed conv
 *       100→8ngf 4×4 s1 p0, then 8ngf→4ngf→2ngf→ngf (4×4 s2 p1), each followed by BatchNorm (or GroupNorm, see
 *       {@link GeneratorNorm}) and ReLU; ngf→3 4×4 s2 p1, tanh: [3, 64, 64] in [-1, 1], flattened.</li>
 * </ul>
 * The discriminator takes GroupNorm, not BatchNorm: BatchNorm mixes the examples of a batch, so no per-example
 * gradient exists (Opacus' DCGAN example made the same change); min(32, C) groups of C channels, as Opacus uses.
 * Its γ and β per channel give the same parameter count as BatchNorm's. The generator keeps BatchNorm: it is trained
 * without clipping, and with GroupNorm it collapsed to one image for every latent where with BatchNorm the images
 * came to differ (docs/rgb-gan.md).
 *
 * <p>Initialised as the paper does: every convolution's weights from N(0, 0.02²), every normalisation's γ from
 * N(1, 0.02²) and β = 0; the engine's fan-based default starts the generator with far stronger pixel-to-pixel noise.
 */
public final class DcganNetworks {

    /** The generator's noise dimension. */
    public static final int NOISE = 100;
    /** The images' side. */
    public static final int SIDE = 64;

    private DcganNetworks() {
    }

    /**
     * The networks' widths: the generator's ngf and the discriminator's ndf (64 and 64 in the paper).
     *
     * @throws IllegalArgumentException unless each is in [1, 1024]
     */
    public record Widths(int ngf, int ndf) {
        public static final Widths PAPER = new Widths(64, 64);

        public Widths {
            if (ngf < 1 || ngf > 1024 || ndf < 1 || ndf > 1024) {
                throw new IllegalArgumentException("widths must be in [1, 1024], got ngf " + ngf + ", ndf " + ndf);
            }
        }
    }

    /** The discriminator's layers, input [3, 64, 64], output one logit. */
    public static List<Layer> discriminatorLayers(int ndf) {
        List<Layer> l = new ArrayList<>();
        l.add(new Conv2d(3, ndf, Window.of(4, 2, 1), false));
        l.add(new Activation(Activation.Function.LEAKY_RELU));
        int c = ndf;
        for (int k = 0; k < 3; k++) {
            l.add(new Conv2d(c, 2 * c, Window.of(4, 2, 1), false));
            l.add(Normalization.groupNorm(groups(2 * c)));
            l.add(new Activation(Activation.Function.LEAKY_RELU));
            c *= 2;
        }
        l.add(new Conv2d(c, 1, Window.of(4, 1, 0), false));
        l.add(new Flatten());
        return l;
    }

    /**
     * How the generator normalises: over the batch (the paper's BatchNorm, and Opacus' DCGAN example's: the generator
     * sees no real image and is never clipped) or per image over groups of channels (as the discriminator).
     */
    public enum GeneratorNorm {
        BATCH, GROUP;

        Layer layer(int channels) {
            return this == BATCH ? Normalization.batchNorm() : Normalization.groupNorm(groups(channels));
        }
    }

    /** The generator's layers with batch normalisation. */
    public static List<Layer> generatorLayers(int ngf) {
        return generatorLayers(ngf, GeneratorNorm.BATCH);
    }

    /** The generator's layers, input [100, 1, 1], output [3·64·64] in [-1, 1]. */
    public static List<Layer> generatorLayers(int ngf, GeneratorNorm norm) {
        List<Layer> l = new ArrayList<>();
        int c = 8 * ngf;
        l.add(new ConvTranspose2d(NOISE, c, Window.of(4, 1, 0), false));
        l.add(norm.layer(c));
        l.add(new Activation(Activation.Function.RELU));
        for (int k = 0; k < 3; k++) {
            l.add(new ConvTranspose2d(c, c / 2, Window.of(4, 2, 1), false));
            l.add(norm.layer(c / 2));
            l.add(new Activation(Activation.Function.RELU));
            c /= 2;
        }
        l.add(new ConvTranspose2d(c, 3, Window.of(4, 2, 1), false));
        l.add(new Activation(Activation.Function.TANH));
        l.add(new Flatten());
        return l;
    }

    public static Network discriminator(Widths w, long seed) {
        return initialise(Network.of(new long[] {3, SIDE, SIDE}, DataType.FLOAT, discriminatorLayers(w.ndf()), seed),
                seed);
    }

    /** The generator with batch normalisation. */
    public static Network generator(Widths w, long seed) {
        return generator(w, GeneratorNorm.BATCH, seed);
    }

    public static Network generator(Widths w, GeneratorNorm norm, long seed) {
        return initialise(Network.of(new long[] {NOISE, 1, 1}, DataType.FLOAT, generatorLayers(w.ngf(), norm), seed),
                seed);
    }

    /** The paper's initialisation, drawn from {@code seed}: weights N(0, 0.02²), GroupNorm γ N(1, 0.02²), β 0. */
    static Network initialise(Network n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (Layer l : n.layers()) {
            if (l instanceof Conv2d c) {
                normal(c.weights(), 0, INIT_SD, rng);
            } else if (l instanceof ConvTranspose2d c) {
                normal(c.weights(), 0, INIT_SD, rng);
            } else if (l instanceof Normalization g) {
                normal(g.scale(), 1, INIT_SD, rng);
            }
        }
        return n;
    }

    /** The paper's standard deviation of initial weights. */
    static final double INIT_SD = 0.02;

    private static void normal(INDArray a, double mean, double sd, SplittableRandom rng) {
        double[] v = new double[Math.toIntExact(a.length())];
        for (int i = 0; i < v.length; i++) {
            double u1 = 1 - rng.nextDouble();
            v[i] = mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng.nextDouble());
        }
        a.assign(Nd4j.create(v, a.shape(), 'c').castTo(a.dataType()));
    }

    /** min(32, C) groups, or the largest divisor of C below that (widths that are not multiples of 32). */
    static int groups(int channels) {
        int g = Math.min(32, channels);
        while (channels % g != 0) {
            g--;
        }
        return g;
    }
}

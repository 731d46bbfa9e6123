package dev.fedgan.core.gan.rgb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.dpsgd.Network;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The RGB DCGAN's networks: parameter counts by hand, output shapes, the tanh range. */
class DcganNetworksTest {

    /**
     * At the paper's widths (64, 64), by hand: a k×k conv from a to b channels without bias has a·b·k² weights;
     * GroupNorm over C channels has 2C (γ, β). Discriminator: 3·64·16 + 64·128·16 + 2·128 + 128·256·16 + 2·256
     * + 256·512·16 + 2·512 + 512·1·16 = 2,765,568. Generator: 100·512·16 + 2·512 + 512·256·16 + 2·256 + 256·128·16
     * + 2·128 + 128·64·16 + 2·64 + 64·3·16 = 3,576,704 (PyTorch's DCGAN without biases has the same counts; GroupNorm
     * in the generator gives the same).
     */
    @Test
    void thePapersWidthsHaveTheHandCountedParameters() {
        long d = 3 * 64 * 16 + 64 * 128 * 16 + 2 * 128 + 128 * 256 * 16 + 2 * 256 + 256 * 512 * 16 + 2 * 512
                + 512 * 16;
        long g = 100 * 512 * 16 + 2 * 512 + 512 * 256 * 16 + 2 * 256 + 256 * 128 * 16 + 2 * 128 + 128 * 64 * 16
                + 2 * 64 + 64 * 3 * 16;
        assertEquals(2_765_568, d);
        assertEquals(3_576_704, g);
        assertEquals(d, DcganNetworks.discriminator(DcganNetworks.Widths.PAPER, 1).numParams());
        assertEquals(g, DcganNetworks.generator(DcganNetworks.Widths.PAPER, 1).numParams());
        assertEquals(g, DcganNetworks.generator(DcganNetworks.Widths.PAPER, DcganNetworks.GeneratorNorm.GROUP, 1)
                .numParams());
    }

    @Test
    void theGeneratorDrawsImagesTheDiscriminatorScoresOneLogitEach() {
        DcganNetworks.Widths tiny = new DcganNetworks.Widths(8, 8);
        Network g = DcganNetworks.generator(tiny, 3);
        Network d = DcganNetworks.discriminator(tiny, 4);
        assertEquals(3 * 64 * 64, g.numClasses(), "a flattened [3, 64, 64] image");
        assertEquals(1, d.numClasses(), "one logit");
        INDArray z = Nd4j.randn(org.nd4j.linalg.api.buffer.DataType.FLOAT, 5, DcganNetworks.NOISE, 1, 1);
        INDArray images = g.output(z);
        assertArrayEquals(new long[] {5, 3 * 64 * 64}, images.shape());
        assertTrue(images.maxNumber().doubleValue() <= 1 && images.minNumber().doubleValue() >= -1, "tanh range");
        assertTrue(images.std(true).getDouble(0) > 0, "not constant");
        INDArray logits = d.output(images.reshape(5, 3, 64, 64));
        assertArrayEquals(new long[] {5, 1}, logits.shape());
        assertEquals(8, DcganNetworks.groups(8));
        assertEquals(32, DcganNetworks.groups(512));
        assertEquals(24, DcganNetworks.groups(48), "the largest divisor of 48 up to 32");
        assertThrows(IllegalArgumentException.class, () -> new DcganNetworks.Widths(0, 64));
    }

    /** The paper's initialisation: every kernel's weights N(0, 0.02²), GroupNorm γ N(1, 0.02²), β 0. */
    @Test
    void weightsStartAsThePapersNormalDraws() {
        Network g = DcganNetworks.generator(new DcganNetworks.Widths(16, 16), 9);
        int kernels = 0;
        int norms = 0;
        for (dev.fedgan.core.dpsgd.Layer l : g.layers()) {
            INDArray w = l instanceof dev.fedgan.core.dpsgd.ConvTranspose2d c ? c.weights() : null;
            if (w != null) {
                kernels++;
                assertEquals(0, w.meanNumber().doubleValue(), 0.003, l.describe());
                assertEquals(0.02, w.stdNumber().doubleValue(), 0.002, l.describe());
            }
            if (l instanceof dev.fedgan.core.dpsgd.Normalization n) {
                assertEquals("batch-norm", n.describe());
                norms++;
                assertEquals(1, n.scale().meanNumber().doubleValue(), 0.01, l.describe());
                assertTrue(n.scale().stdNumber().doubleValue() > 0.01, "gamma is drawn, not 1: " + l.describe());
            }
        }
        assertEquals(5, kernels);
        assertEquals(4, norms);
        for (dev.fedgan.core.dpsgd.Layer l : DcganNetworks.discriminator(new DcganNetworks.Widths(16, 16), 9).layers()) {
            if (l instanceof dev.fedgan.core.dpsgd.Conv2d c && c.weights().length() > 1000) {
                assertEquals(0.02, c.weights().stdNumber().doubleValue(), 0.002, l.describe());
            }
        }
        assertEquals(g.params(), DcganNetworks.generator(new DcganNetworks.Widths(16, 16), 9).params(), "seeded");
    }
}

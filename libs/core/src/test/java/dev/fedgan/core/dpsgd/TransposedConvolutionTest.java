package dev.fedgan.core.dpsgd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The transposed convolution's forward pass against its definition, independently of the native op: each input
 * position scatters W[c, o, ·, ·]·x[c, i, j] to the output at (stride·i − pad + ki, stride·j − pad + kj); and, with the
 * same weights, it is the adjoint of the convolution: ⟨conv(y), x⟩ = ⟨y, convT(x)⟩. Gradient tests compare the layer
 * with itself, so a misread weight layout would pass them; these would not.
 */
class TransposedConvolutionTest {

    private static final int IN = 3;
    private static final int OUT = 2;
    private static final Window WINDOW = Window.of(4, 2, 1);

    private static INDArray random(SplittableRandom r, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = 2 * r.nextDouble() - 1;
        }
        return Nd4j.create(v, shape, 'c');
    }

    @Test
    void theForwardPassScattersEachInputPositionThroughTheKernel() {
        SplittableRandom r = new SplittableRandom(3);
        ConvTranspose2d layer = new ConvTranspose2d(IN, OUT, WINDOW, false);
        Network net = Network.of(new long[] {IN, 3, 5}, DataType.DOUBLE, List.of(layer, new Flatten()), 1);
        INDArray w = layer.weights().assign(random(r, IN, OUT, 4, 4));
        INDArray x = random(r, 2, IN, 3, 5);
        double[] got = net.output(x).dup().data().asDouble();
        int h = 2 * (3 - 1) + 4 - 2;
        int wd = 2 * (5 - 1) + 4 - 2;
        double[] want = new double[2 * OUT * h * wd];
        for (int b = 0; b < 2; b++) {
            for (int c = 0; c < IN; c++) {
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 5; j++) {
                        for (int o = 0; o < OUT; o++) {
                            for (int ki = 0; ki < 4; ki++) {
                                for (int kj = 0; kj < 4; kj++) {
                                    int y = 2 * i - 1 + ki;
                                    int z = 2 * j - 1 + kj;
                                    if (y >= 0 && y < h && z >= 0 && z < wd) {
                                        want[((b * OUT + o) * h + y) * wd + z] += w.getDouble(c, o, ki, kj)
                                                * x.getDouble(b, c, i, j);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for (int k = 0; k < want.length; k++) {
            assertEquals(want[k], got[k], 1e-12, "output value " + k);
        }
    }

    @Test
    void withTheSameWeightsItIsTheConvolutionsAdjoint() {
        SplittableRandom r = new SplittableRandom(4);
        ConvTranspose2d up = new ConvTranspose2d(IN, OUT, WINDOW, false);
        Conv2d down = new Conv2d(OUT, IN, WINDOW, false);
        Network convT = Network.of(new long[] {IN, 4, 4}, DataType.DOUBLE, List.of(up, new Flatten()), 1);
        Network conv = Network.of(new long[] {OUT, 8, 8}, DataType.DOUBLE, List.of(down, new Flatten()), 1);
        INDArray w = random(r, IN, OUT, 4, 4);
        up.weights().assign(w);
        down.weights().assign(w);
        INDArray x = random(r, 1, IN, 4, 4);
        INDArray y = random(r, 1, OUT, 8, 8);
        double left = conv.output(y).mul(x.reshape(1, IN * 16)).sumNumber().doubleValue();
        double right = convT.output(x).mul(y.reshape(1, OUT * 64)).sumNumber().doubleValue();
        assertEquals(left, right, 1e-10 * Math.abs(left));
    }
}

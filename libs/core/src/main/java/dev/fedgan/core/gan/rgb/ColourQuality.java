package dev.fedgan.core.gan.rgb;

import dev.fedgan.core.data.ColourImages;
import dev.fedgan.core.dpsgd.Activation;
import dev.fedgan.core.dpsgd.Conv2d;
import dev.fedgan.core.dpsgd.Dense;
import dev.fedgan.core.dpsgd.Flatten;
import dev.fedgan.core.dpsgd.Layer;
import dev.fedgan.core.dpsgd.Loss;
import dev.fedgan.core.dpsgd.Network;
import dev.fedgan.core.dpsgd.Window;
import dev.fedgan.core.gan.eval.GanMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A sample-quality figure for the RGB GAN's images: the Fréchet distance (as FID, {@link GanMetrics#frechetDistance})
 * between the real images and a batch of generated images in the feature space of a small classifier trained on the
 * real images. FID's Inception network is too large for this engine and was trained on other pictures; a small
 * network that has learnt the real images' own attributes (for the generated shapes: which shape and which colour)
 * puts apart exactly what a generator of these images gets wrong (a missing shape, wrong colours, noise, one image for
 * every latent), at a cost of seconds on a CPU.
 *
 * <p>The rule:
 * <ul>
 *   <li>{@link #fit}: every image is average-pooled to {@value #POOLED_SIDE}×{@value #POOLED_SIDE} (blocks of
 *       side/{@value #POOLED_SIDE} pixels), then conv 3→16 3×3 s2 'same', LeakyReLU, conv 16→32 3×3 s2 'same',
 *       LeakyReLU, flatten, dense →{@value #FEATURES}, LeakyReLU, dense → one logit per attribute. It is trained with
 *       the multi-label binary cross-entropy of every attribute (+1 → target 1, −1 → target 0) for {@value #EPOCHS}
 *       epochs of batches of {@value #BATCH} with Adam (learning rate {@value #LEARNING_RATE}, β₁ 0.9), on at most
 *       {@value #MAX_TRAIN} of the images, everything drawn from the seed: the same images and seed give the same
 *       figure.</li>
 *   <li>The features are the penultimate layer's activations: the {@value #FEATURES} outputs of the first dense
 *       layer after its LeakyReLU (not the logits). The real images' features are computed once at fit time, from at
 *       most {@value #MAX_REFERENCE} of the training images.</li>
 *   <li>{@link #distance}: the Fréchet distance between those real features and the features of the given images:
 *       ‖m − m_g‖² + Tr(C + C_g − 2(C^½ C_g C^½)^½). Zero for the real images themselves; lower is better. Like FID
 *       it is biased upwards for small batches, so compare figures computed with the same number of images.</li>
 * </ul>
 *
 * <p>Privacy: the classifier and the real images' feature statistics are computed from the real images without
 * clipping or noise, so this figure, and the fitted object itself, are NOT differentially private. It is meant for
 * data the team may see (the generated shapes, a public data set) or for the trusted side that holds the real images
 * (a client on its own images, a simulation); releasing it for private data spends privacy that no accountant has
 * charged.
 */
public final class ColourQuality {

    /** The side every image is average-pooled to before the classifier. */
    public static final int POOLED_SIDE = 16;
    /** The width of the feature layer. */
    public static final int FEATURES = 64;
    /** The most real images whose features make the reference statistics. */
    public static final int MAX_REFERENCE = 1000;
    /** The most real images the classifier is trained on. */
    public static final int MAX_TRAIN = 4000;
    static final int EPOCHS = 30;
    static final int BATCH = 32;
    static final double LEARNING_RATE = 1e-3;
    private static final double BETA1 = 0.9;
    /** Images per forward pass when computing features. */
    private static final int PASS = 256;

    private final int side;
    private final List<String> attributeNames;
    private final Network features;
    private final double[][] reference;
    private final double trainAccuracy;
    private final double majorityAccuracy;

    private ColourQuality(int side, List<String> attributeNames, Network features, double[][] reference,
                          double trainAccuracy, double majorityAccuracy) {
        this.side = side;
        this.attributeNames = attributeNames;
        this.features = features;
        this.reference = reference;
        this.trainAccuracy = trainAccuracy;
        this.majorityAccuracy = majorityAccuracy;
    }

    /**
     * Trains the classifier on {@code real}'s attributes and keeps the features of (at most {@value #MAX_REFERENCE}
     * of) its images. Not differentially private: see the class comment.
     *
     * @throws IllegalArgumentException if the images carry no attributes, are fewer than 2, have a side that is not a
     *                                  positive multiple of {@value #POOLED_SIDE}, or a NaN or infinite pixel
     */
    public static ColourQuality fit(ColourImages real, long seed) {
        if (real.attributes() == null || real.attributeNames().isEmpty()) {
            throw new IllegalArgumentException(real.name() + ": the images have no attributes for the quality "
                    + "classifier to learn");
        }
        if (real.size() < 2) {
            throw new IllegalArgumentException(real.name() + ": need at least 2 real images, got " + real.size());
        }
        int side = real.side();
        checkSide(side);
        int k = real.attributeNames().size();
        SplittableRandom rng = new SplittableRandom(seed);
        int[] order = permutation(real.size(), rng);
        int n = Math.min(real.size(), MAX_TRAIN);
        int[] chosen = Arrays.copyOf(order, n);
        ColourImages train = real.select(chosen);
        checkPixels(train.pixels(), n, side, real.name());
        float[] pooled = averagePool(train.pixels(), n, side);
        float[][] targets = new float[n][k];
        for (int i = 0; i < n; i++) {
            byte[] a = train.attributes()[i];
            if (a == null || a.length != k) {
                throw new IllegalArgumentException(real.name() + ": image " + chosen[i] + " has "
                        + (a == null ? "no" : a.length) + " attributes, expected " + k);
            }
            for (int j = 0; j < k; j++) {
                targets[i][j] = a[j] > 0 ? 1 : 0;
            }
        }

        Network net = Network.of(new long[] {3, POOLED_SIDE, POOLED_SIDE}, DataType.FLOAT, layers(k), rng.nextLong());
        Adam adam = new Adam(net.params(), LEARNING_RATE, BETA1);
        int[] idx = java.util.stream.IntStream.range(0, n).toArray();
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            shuffle(idx, rng);
            for (int from = 0; from < n; from += BATCH) {
                int to = Math.min(n, from + BATCH);
                int[] batch = Arrays.copyOfRange(idx, from, to);
                net.clearGradient();
                net.addGradient(input(pooled, batch), binaryCrossEntropy(targets, batch), null, false);
                adam.step(net.params(), net.gradient().div(batch.length));
            }
        }
        net.releaseMemory();

        // accuracy of the signs of the logits on the training images, and the majority rule's
        double[][] logits = outputs(net, pooled, n);
        long right = 0;
        double majority = 0;
        for (int j = 0; j < k; j++) {
            int positive = 0;
            for (int i = 0; i < n; i++) {
                boolean t = targets[i][j] > 0;
                positive += t ? 1 : 0;
                right += (logits[i][j] > 0) == t ? 1 : 0;
            }
            majority += Math.max(positive, n - positive) / (double) n;
        }

        // the feature network: the same layers but the last, with the trained network's leading parameters
        List<Layer> head = layers(k);
        head.remove(head.size() - 1);
        Network feat = Network.of(new long[] {3, POOLED_SIDE, POOLED_SIDE}, DataType.FLOAT, head, 0);
        long p = feat.numParams();
        feat.params().assign(net.params().get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, p)).reshape(1, p));
        int m = Math.min(n, MAX_REFERENCE);
        double[][] ref = outputs(feat, Arrays.copyOf(pooled, m * 3 * POOLED_SIDE * POOLED_SIDE), m);
        return new ColourQuality(side, real.attributeNames(), feat, ref, (double) right / ((long) n * k),
                majority / k);
    }

    /**
     * The Fréchet distance between the real images' features and those of {@code images} (lower is better, 0 for
     * the real images themselves).
     *
     * @param images {@code count} images of [3, side, side] each (the fitted images' side), one after another, values
     *               finite (the generator's [-1, 1])
     * @param count  the number of images, at least 2
     * @throws IllegalArgumentException if the length is not {@code count} images, count is below 2, or a value is
     *                                  NaN or infinite (naming the image, channel, row and column)
     */
    public double distance(float[] images, int count) {
        return GanMetrics.frechetDistance(reference, features(images, count));
    }

    /** The features [count][{@value #FEATURES}] of {@code images}, checked as {@link #distance} checks them. */
    public double[][] features(float[] images, int count) {
        if (images == null) {
            throw new IllegalArgumentException("images must not be null");
        }
        if (count < 2) {
            throw new IllegalArgumentException("need at least 2 images for a covariance, got count " + count);
        }
        long expected = (long) count * ColourImages.values(side);
        if (images.length != expected) {
            throw new IllegalArgumentException("images: length " + images.length + " is not " + count
                    + " images of [3, " + side + ", " + side + "] (" + expected + " values)");
        }
        checkPixels(images, count, side, "images");
        return outputs(features, averagePool(images, count, side), count);
    }

    /**
     * The classifier's accuracy on the images it was trained on: the fraction of (image, attribute) pairs whose logit
     * has the attribute's sign. Compare with {@link #majorityAccuracy()}.
     */
    public double trainAccuracy() {
        return trainAccuracy;
    }

    /**
     * The accuracy of the rule that predicts every attribute's more frequent value for every image (the chance
     * level for {@link #trainAccuracy()}: for the shapes' one-hot attributes about 0.78, not 0.5).
     */
    public double majorityAccuracy() {
        return majorityAccuracy;
    }

    /** The number of real images whose features make the reference statistics. */
    public int referenceCount() {
        return reference.length;
    }

    /** The side of the images this figure takes. */
    public int side() {
        return side;
    }

    /** The attributes the classifier learnt, in its logits' order. */
    public List<String> attributeNames() {
        return attributeNames;
    }

    /**
     * Average-pools {@code count} images of [3, side, side] to [3, {@value #POOLED_SIDE}, {@value #POOLED_SIDE}]:
     * each output pixel the mean of a side/{@value #POOLED_SIDE}-square block, per channel.
     */
    static float[] averagePool(float[] images, int count, int side) {
        checkSide(side);
        int f = side / POOLED_SIDE;
        int in = ColourImages.values(side);
        int out = ColourImages.values(POOLED_SIDE);
        float[] pooled = new float[count * out];
        double scale = 1.0 / (f * f);
        for (int i = 0; i < count; i++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < POOLED_SIDE; y++) {
                    for (int x = 0; x < POOLED_SIDE; x++) {
                        double s = 0;
                        int base = i * in + c * side * side;
                        for (int dy = 0; dy < f; dy++) {
                            int row = base + (y * f + dy) * side + x * f;
                            for (int dx = 0; dx < f; dx++) {
                                s += images[row + dx];
                            }
                        }
                        pooled[i * out + (c * POOLED_SIDE + y) * POOLED_SIDE + x] = (float) (s * scale);
                    }
                }
            }
        }
        return pooled;
    }

    private static List<Layer> layers(int outputs) {
        List<Layer> l = new ArrayList<>();
        l.add(new Conv2d(3, 16, Window.same(3, 2), true));
        l.add(new Activation(Activation.Function.LEAKY_RELU));
        l.add(new Conv2d(16, 32, Window.same(3, 2), true));
        l.add(new Activation(Activation.Function.LEAKY_RELU));
        l.add(new Flatten());
        l.add(new Dense(32 * (POOLED_SIDE / 4) * (POOLED_SIDE / 4), FEATURES));
        l.add(new Activation(Activation.Function.LEAKY_RELU));
        l.add(new Dense(FEATURES, outputs));
        return l;
    }

    /** Σ over attributes of the binary cross-entropy of each logit: dL/dz = σ(z) − t per attribute. */
    private static Loss binaryCrossEntropy(float[][] targets, int[] batch) {
        return z -> {
            double[][] g = new double[z.length][];
            for (int i = 0; i < z.length; i++) {
                float[] t = targets[batch[i]];
                g[i] = new double[z[i].length];
                for (int j = 0; j < t.length; j++) {
                    g[i][j] = 1 / (1 + Math.exp(-z[i][j])) - t[j];
                }
            }
            return g;
        };
    }

    /** The network's outputs for the first {@code count} pooled images, in passes of {@value #PASS}. */
    private static double[][] outputs(Network net, float[] pooled, int count) {
        double[][] out = new double[count][];
        for (int from = 0; from < count; from += PASS) {
            int to = Math.min(count, from + PASS);
            int[] batch = java.util.stream.IntStream.range(from, to).toArray();
            double[][] o = net.output(input(pooled, batch)).castTo(DataType.DOUBLE).toDoubleMatrix();
            System.arraycopy(o, 0, out, from, to - from);
        }
        return out;
    }

    private static INDArray input(float[] pooled, int[] batch) {
        int v = ColourImages.values(POOLED_SIDE);
        float[] buf = new float[batch.length * v];
        for (int k = 0; k < batch.length; k++) {
            System.arraycopy(pooled, batch[k] * v, buf, k * v, v);
        }
        return Nd4j.create(buf, new long[] {batch.length, 3, POOLED_SIDE, POOLED_SIDE}, 'c');
    }

    private static void checkSide(int side) {
        if (side < POOLED_SIDE || side % POOLED_SIDE != 0) {
            throw new IllegalArgumentException("the image side must be a positive multiple of " + POOLED_SIDE
                    + ", got " + side);
        }
    }

    private static void checkPixels(float[] images, int count, int side, String what) {
        int v = ColourImages.values(side);
        for (int i = 0; i < count * v; i++) {
            if (!Float.isFinite(images[i])) {
                int image = i / v;
                int r = i % v;
                int channel = r / (side * side);
                int y = (r % (side * side)) / side;
                throw new IllegalArgumentException(what + ": value " + images[i] + " at image " + image + ", channel "
                        + channel + ", row " + y + ", column " + (r % side));
            }
        }
    }

    private static int[] permutation(int n, SplittableRandom rng) {
        int[] p = java.util.stream.IntStream.range(0, n).toArray();
        shuffle(p, rng);
        return p;
    }

    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}

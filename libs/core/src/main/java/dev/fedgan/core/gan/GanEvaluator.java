package dev.fedgan.core.gan;

import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.gan.eval.GanMetrics;
import dev.fedgan.core.gan.eval.PolarityScale;
import dev.fedgan.core.render.ImageGrid;
import java.awt.image.BufferedImage;
import java.util.Locale;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How a generator is judged and drawn, the same way in {@link GanExperiment} (one JVM) and in the image-render
 * service (weights from the object store): {@value GanExperiment#EVAL_BATCH} images from the fixed noise of the
 * experiment seed (a Gaussian stream seeded with {@code seed + 77}), generated with the batch statistics of those
 * images; their mean pixel and polarity (on the real images' {@link PolarityScale}); the classifier score and the
 * Fréchet classifier distance against real images when a classifier is given; the first 36 images as the 6×6 grid.
 *
 * <p>The real images' logits are computed once, in the constructor. Not thread-safe (one SameDiff graph).
 */
public final class GanEvaluator {

    /** Grid rows and columns: the reference's 6×6. */
    public static final int GRID_ROWS = 6;
    public static final int GRID_COLS = 6;
    /** Offset added to the experiment seed for the evaluation noise. */
    public static final long NOISE_SEED_OFFSET = 77;

    /** One generator, judged and drawn. */
    public record Drawn(double meanPixel, GanMetrics.Polarity polarity, Double classifierScore, Double frechetDistance,
            BufferedImage grid) {
    }

    private final GeneratorSampler sampler;
    private final INDArray noise;
    private final PrimaryClassifier classifier;
    private final double[][] realLogits;
    private final PolarityScale scale;

    /**
     * @param preset     the generator's widths
     * @param seed       the experiment seed (the GAN's {@code seed} setting)
     * @param classifier for the classifier score and FCD (null: both skipped)
     * @param realImages real, non-inverted images for the FCD and the polarity scale, n·784 floats (null: FCD
     *                   skipped, the reference's polarity scale): {@link #labImages}
     */
    public GanEvaluator(GanPreset preset, long seed, PrimaryClassifier classifier, float[] realImages) {
        this.sampler = new GeneratorSampler(preset, true, DataType.FLOAT);
        this.noise = ClientTraining.gaussian(new SplittableRandom(seed + NOISE_SEED_OFFSET), GanExperiment.EVAL_BATCH,
                preset.noiseDim());
        this.classifier = classifier;
        this.scale = PolarityScale.ofOrReference(realImages);
        if (classifier != null && realImages != null) {
            int n = Math.min(GanExperiment.EVAL_BATCH, realImages.length / WriterData.PIXELS);
            realLogits = classifier.logits(PrimaryClassifier.batch(realImages, 0, n))
                    .castTo(DataType.DOUBLE).toDoubleMatrix();
        } else {
            realLogits = null;
        }
    }

    /**
     * Generates the evaluation batch with {@code generator} and measures it.
     *
     * @throws IllegalArgumentException if the generator makes NaN pixels
     */
    public Drawn draw(NetworkWeights generator) {
        INDArray images = sampler.sample(generator, noise);
        float[] pixels = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
        double mean = GanMetrics.meanPixel(pixels);
        Double score = null;
        Double fcd = null;
        if (classifier != null) {
            double[][] logits = classifier.logits(images).castTo(DataType.DOUBLE).toDoubleMatrix();
            score = GanMetrics.classifierScore(logits);
            if (realLogits != null) {
                fcd = GanMetrics.frechetDistance(realLogits, logits);
            }
        }
        BufferedImage grid = ImageGrid.grid(pixels, GRID_ROWS, GRID_COLS);
        return new Drawn(mean, scale.polarityOf(mean), score, fcd, grid);
    }

    /** Where the mean pixel counts as normal or inverted: the real images', or the reference's without them. */
    public PolarityScale scale() {
        return scale;
    }

    /**
     * The FCD's real images: the first {@value GanExperiment#EVAL_BATCH} images of the lab data (what the
     * classifier is trained on, which no user holds).
     *
     * @param labData a data spec ({@code bundled:lab}, a file)
     * @throws dev.fedgan.core.data.DatasetException if that data cannot be read here
     */
    public static float[] labImages(String labData) {
        return DatasetLoader.load(labData, WriterPartition.Options.DEFAULT).firstImages(GanExperiment.EVAL_BATCH);
    }

    /** The grid's path relative to a GAN's output directory: {@code images/gen_images_step_00040.png}. */
    public static String gridFile(int round) {
        return String.format(Locale.ROOT, "images/gen_images_step_%05d.png", round);
    }

    /** A GIF frame's caption: {@code round 40}. */
    public static String caption(int round) {
        return "round " + round;
    }
}

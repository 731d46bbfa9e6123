package dev.fedgan.imagerender;

import static org.junit.jupiter.api.Assertions.fail;

import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.gan.ClientTraining;
import dev.fedgan.core.gan.GanExperiment;
import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.GeneratorSampler;
import dev.fedgan.core.gan.NetworkWeights;
import dev.fedgan.core.gan.PopulationComparison;
import dev.fedgan.core.gan.eval.GanMetrics;
import dev.fedgan.core.gan.eval.PolarityScale;
import dev.fedgan.core.render.ImageGrid;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What the core computes for a generator, step by step in the test JVM, to compare the service's output with. */
final class CoreDrawings {

    static final GanPreset PRESET = GanPreset.TINY;
    static final long SEED = 5;

    /** A generator as the core judges and draws it; the FCD is against the first 500 lab images. */
    record Drawn(double mean, Double score, Double fcd, BufferedImage grid) {
    }

    private CoreDrawings() {
    }

    /** What GanExperiment draws for these weights and seed (no classifier: no score, no FCD). */
    static Drawn coreDraw(NetworkWeights generator, PrimaryClassifier classifier) {
        INDArray noise = ClientTraining.gaussian(new SplittableRandom(SEED + 77), GanExperiment.EVAL_BATCH, PRESET.noiseDim());
        INDArray images = new GeneratorSampler(PRESET, true, DataType.FLOAT).sample(generator, noise);
        float[] pixels = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
        Double score = null;
        Double fcd = null;
        if (classifier != null) {
            double[][] logits = classifier.logits(images).castTo(DataType.DOUBLE).toDoubleMatrix();
            score = GanMetrics.classifierScore(logits);
            float[] lab = DatasetLoader.load("bundled:lab", WriterPartition.Options.DEFAULT).firstImages(500);
            double[][] real = classifier.logits(PrimaryClassifier.batch(lab, 0, 500)).castTo(DataType.DOUBLE)
                    .toDoubleMatrix();
            fcd = GanMetrics.frechetDistance(real, logits);
        }
        return new Drawn(GanMetrics.meanPixel(pixels), score, fcd, ImageGrid.grid(pixels, 6, 6));
    }

    /** The polarity scale the service takes with a classifier: the first 500 images of the lab data. */
    static PolarityScale labScale() {
        return PolarityScale.of(DatasetLoader.load("bundled:lab", WriterPartition.Options.DEFAULT).firstImages(500));
    }

    /** A side of the comparison whose last evaluation has this mean pixel. */
    static PopulationComparison.Side side(double mean) {
        GanExperiment.Evaluation e = new GanExperiment.Evaluation(3, mean, GanMetrics.polarityOf(mean), null, null, 0,
                "x.png");
        return new PopulationComparison.Side("s", "p", 1, new GanExperiment.Result("s", 1, 3, "", e, List.of(e),
                null, "", "grids.gif"));
    }

    /** The generator with its final bias set: +3 draws inverted digits, −3 normal ones. */
    static NetworkWeights withFinalBias(NetworkWeights w, float bias) {
        NetworkWeights c = w.copy();
        c.get("g_conv_b").assign(bias);
        return c;
    }

    static void assertRasterEquals(BufferedImage expected, BufferedImage actual) {
        Raster a = expected.getRaster();
        Raster b = actual.getRaster();
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                if (a.getSample(x, y, 0) != b.getSample(x, y, 0)) {
                    fail("pixel (" + x + ", " + y + "): core " + a.getSample(x, y, 0) + ", stored " + b.getSample(x, y, 0));
                }
            }
        }
    }
}

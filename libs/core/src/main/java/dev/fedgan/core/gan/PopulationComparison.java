package dev.fedgan.core.gan;

import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.gan.eval.GanMetrics;
import dev.fedgan.core.gan.eval.PolarityScale;
import dev.fedgan.core.population.Population;
import dev.fedgan.core.population.PopulationFilters;
import dev.fedgan.core.progress.Progress;
import dev.fedgan.core.render.ImageGrid;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The paper's comparison (reference section 1 steps 6-7, section 6): one DP federated GAN on the low-accuracy
 * users, one on the high-accuracy users, their last grids side by side, and a verdict computed from the
 * polarity of what each generates: its mean pixel against the lab data's ({@link PolarityScale}), whose images
 * are normal by definition and whose negatives are what the inversion bug makes.
 */
public final class PopulationComparison {

    public static final String SIDE_BY_SIDE = "low_vs_high.png";

    /**
     * One trained GAN and the population it saw.
     *
     * @param label          e.g. {@code low-accuracy users}
     * @param population     the population's name, e.g. {@code by_user/acc_lt0p25} (from the public threshold)
     * @param populationSize N̂, the population's released noisy size (the N of its q), not its number of members
     * @param gan            the GAN's outcome
     */
    public record Side(String label, String population, int populationSize, GanExperiment.Result gan) {
    }

    /** Both GANs, the picture, the verdict and the scale their polarities were judged on. */
    public record Comparison(Side low, Side high, String verdict, boolean inversionFound, String picture,
            PolarityScale scale) {
    }

    private PopulationComparison() {
    }

    /**
     * A file of one GAN's output, relative to the experiment's output directory: {@code gans/<gan>/<relative>}
     * ({@code fedgan debug --out}, and the same paths under an experiment's files in the object store).
     */
    public static String ganFile(String gan, String relative) {
        return "gans/" + gan + "/" + relative;
    }

    /**
     * Trains both GANs under {@code out/gans/low_accuracy} and {@code out/gans/high_accuracy} and writes
     * {@code out/low_vs_high.png}: each on its population's members, with q = m / N̂ for that population's released
     * size N̂, at the experiment's δ. {@code seededRandomness} null: secure noise and sampling.
     *
     * @throws IllegalArgumentException if a population's N̂ is below the expected clients per round m
     */
    public static Comparison run(Population low, int lowSize, Population high, int highSize, double delta,
            FederatedDataset data, GanTrainingConfig config, GanExperiment.Options options, Long seededRandomness,
            Path out, Progress progress) {
        Side lowSide = train("low-accuracy users", low, lowSize, delta, data, config, options, seededRandomness,
                out.resolve(ganFile(PopulationFilters.LOW_ACCURACY, "")), progress);
        Side highSide = train("high-accuracy users", high, highSize, delta, data, config, options, seededRandomness,
                out.resolve(ganFile(PopulationFilters.HIGH_ACCURACY, "")), progress);
        BufferedImage left;
        BufferedImage right;
        try {
            left = ImageIO.read(out.resolve(ganFile(PopulationFilters.LOW_ACCURACY, lowSide.gan().last().grid())).toFile());
            right = ImageIO.read(out.resolve(ganFile(PopulationFilters.HIGH_ACCURACY, highSide.gan().last().grid())).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw " + out.resolve(SIDE_BY_SIDE) + ": " + e.getMessage(), e);
        }
        return compare(lowSide, highSide, left, right, PolarityScale.ofOrReference(options.realImages()),
                out.resolve(SIDE_BY_SIDE));
    }

    /**
     * The comparison of two trained GANs, wherever they were trained (one JVM or the services): the verdict from
     * the polarity of each side's last evaluation, and their last grids side by side written to {@code picture}
     * (normally {@code <out>/}{@value #SIDE_BY_SIDE}).
     *
     * @param lowGrid  the low-accuracy GAN's last grid
     * @param highGrid the high-accuracy GAN's last grid
     * @param scale    the scale the evaluations' polarities were taken on (the lab data's)
     */
    public static Comparison compare(Side lowSide, Side highSide, BufferedImage lowGrid, BufferedImage highGrid,
            PolarityScale scale, Path picture) {
        GanMetrics.Polarity lp = lowSide.gan().last().polarity();
        GanMetrics.Polarity hp = highSide.gan().last().polarity();
        boolean found = lp == GanMetrics.Polarity.INVERTED && hp == GanMetrics.Polarity.NORMAL;
        String verdict = verdict(lowSide, highSide, scale);
        ImageGrid.writePng(ImageGrid.sideBySide(lowGrid, "low-accuracy users", caption(lowSide, scale), highGrid,
                "high-accuracy users", caption(highSide, scale), "What the DP federated GANs generate"), picture);
        return new Comparison(lowSide, highSide, verdict, found, SIDE_BY_SIDE, scale);
    }

    private static Side train(String label, Population p, int populationSize, double delta, FederatedDataset data,
            GanTrainingConfig config, GanExperiment.Options options, Long seeded, Path dir, Progress progress) {
        if (populationSize < config.clientsPerRound()) {
            throw new IllegalArgumentException("the " + label + " population (" + p.path() + ") has the noisy size N̂ = "
                    + populationSize + ", below the " + config.clientsPerRound() + " expected clients per round (q = m/N̂"
                    + " must be <= 1): lower --clients-per-round or widen the thresholds");
        }
        List<WriterData> members = FederatedGanTraining.clientsOf(p, data);
        FederatedGanTraining training = FederatedGanTraining.start(config, members, populationSize, delta, seeded);
        GanExperiment.Result r = GanExperiment.run(label, training, options, dir, progress);
        return new Side(label, p.path(), populationSize, r);
    }

    /** A grid's caption: the polarity and the population's released size (never its exact number of members). */
    private static String caption(Side s, PolarityScale scale) {
        GanExperiment.Evaluation e = s.gan().last();
        return scale.caption(e.meanPixel()) + " · ~" + s.populationSize() + " users (noisy count)";
    }

    static String verdict(Side low, Side high, PolarityScale scale) {
        GanMetrics.Polarity lp = low.gan().last().polarity();
        GanMetrics.Polarity hp = high.gan().last().polarity();
        String figures = String.format(Locale.ROOT, " (mean generated pixel: low-accuracy %+.2f, high-accuracy %+.2f; %s)",
                low.gan().last().meanPixel(), high.gan().last().meanPixel(), scale.references());
        if (lp == GanMetrics.Polarity.INVERTED && hp == GanMetrics.Polarity.NORMAL) {
            return "The low-accuracy users' data is inverted (the GAN draws negatives of the lab data's images: light"
                    + " background, dark shapes); the high-accuracy users' data looks normal" + figures + ".";
        }
        if (lp == hp && lp != GanMetrics.Polarity.UNCLEAR) {
            return "Both populations generate " + lp.name().toLowerCase(Locale.ROOT) + " images: no polarity difference,"
                    + " so the accuracy gap is not explained by an inversion" + figures + ".";
        }
        return "Inconclusive: the GANs do not show a clear polarity split" + figures
                + ". Train longer (--rounds) or look at the grids.";
    }
}

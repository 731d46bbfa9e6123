package dev.fedgan.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.classifier.ClassifierProvenance;
import dev.fedgan.core.gan.GanExperiment;
import dev.fedgan.core.gan.GanRunFiles;
import dev.fedgan.core.gan.PopulationComparison;
import dev.fedgan.core.gan.eval.GanMetrics;
import dev.fedgan.core.population.SelectionRelease;
import dev.fedgan.core.privacy.DpSgdPrivacy;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.core.privacy.PrivacyEstimate;
import dev.fedgan.core.privacy.PrivacyStatement;
import dev.fedgan.core.privacy.SelectionPrivacy;
import dev.fedgan.core.render.ImageGrid;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The comparison and the report from two trained sides, as the image-render service writes them. */
class DebugReportTest {

    @TempDir
    Path tmp;

    @Test
    void comparesTwoSidesAndWritesAReportThatSaysWhatIsMissing() throws Exception {
        PopulationComparison.Comparison c = invertedVsNormal();
        assertTrue(c.inversionFound());
        assertTrue(c.verdict().startsWith("The low-accuracy users' data is inverted"), c.verdict());
        assertTrue(c.verdict().contains("low-accuracy +0.80, high-accuracy -0.80"), c.verdict());
        BufferedImage picture = ImageIO.read(tmp.resolve(PopulationComparison.SIDE_BY_SIDE).toFile());
        assertTrue(picture.getWidth() > 2 * 168, "two grids side by side: " + picture.getWidth());

        DebugReport.write(tmp, DebugReport.Content.of(c.verdict(), c.inversionFound(), null, null, null, c));
        String html = Files.readString(tmp.resolve(DebugReport.HTML), StandardCharsets.UTF_8);
        assertTrue(html.contains(c.verdict()), html);
        assertTrue(html.contains("Primary classifier: not available"), html);
        assertTrue(html.contains("The private selection is not available."), html);
        assertTrue(!html.contains("per-user accuracy histogram"), "no histogram picture without a histogram");
        String json = Files.readString(tmp.resolve(DebugReport.JSON), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"inversion_found\" : true"), json);
        assertTrue(json.contains("\"classifier\" : null"), json);
        var gan = dev.fedgan.core.io.Json.MAPPER.readTree(json).get("gans").get("low").get("gan");
        List<String> fields = new java.util.ArrayList<>();
        gan.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("name", "population", "rounds", "stopped_because", "last", "evaluations", "privacy",
                "randomness", "gif"), fields, "no wall time of the training (it grows with the clients sampled)");
    }

    @Test
    void theReportShowsTheNoisyReleaseAndNoGroundTruth() throws Exception {
        PopulationComparison.Comparison c = invertedVsNormal();
        double[] noisy = new double[20];
        Arrays.fill(noisy, 3.25);
        SelectionRelease sel = new SelectionRelease(SelectionRelease.MECHANISM, 100, 0, 5, "seeded", false,
                new SelectionRelease.Histogram(20, 0.05, noisy),
                new SelectionRelease.Thresholds(0.25, "chosen: upper edge", 0.9, "given"),
                List.of(new SelectionRelease.PopulationSize("low_accuracy", "accuracy < 0.25", 23.4, 23),
                        new SelectionRelease.PopulationSize("high_accuracy", "accuracy > 0.9", 31.6, 32)),
                SelectionRelease.Privacy.of(SelectionPrivacy.of(5), 1e-5, true));
        DebugReport.write(tmp, DebugReport.Content.of(c.verdict(), c.inversionFound(), null, sel,
                "selection/accuracy_histogram.png", c));
        String html = Files.readString(tmp.resolve(DebugReport.HTML), StandardCharsets.UTF_8);
        String json = Files.readString(tmp.resolve(DebugReport.JSON), StandardCharsets.UTF_8);
        assertTrue(html.contains("<td>accuracy &lt; 0.25</td><td>chosen: upper edge</td><td>23.4</td><td>23</td>"), html);
        assertTrue(html.contains("src=\"selection/accuracy_histogram.png\""), html);
        assertTrue(html.contains("epsilon = 1.158 at delta = 1.00e-05 (the default"), html);
        assertTrue(html.contains("NOT private"), html);
        // The whole experiment: the selection (z = 5, two releases) composed with the GANs (q = 0.2, z = 1, T = 3
        // each); 40-digit mpmath: 4.0774499794406348 at order 4.5.
        assertEquals(4.0774499794406348, DebugReport.totalPrivacy(sel, c).epsilonImproved(), 1e-9);
        assertTrue(html.contains("Privacy of the whole experiment:</b> ε = 4.08 (δ = 1.00e-05)"), html);
        assertTrue(json.contains("\"epsilon_improved\" : 4.07744997"), json);
        assertTrue(!html.contains("truly inverted") && !html.contains("precision"), "no ground truth in the report");
        assertTrue(json.contains("\"population_size\" : 10") && !json.contains("truly_inverted"), json);
    }

    @Test
    void aDpSgdClassifiersSampleLevelGuaranteeIsStated() throws Exception {
        PopulationComparison.Comparison c = invertedVsNormal();
        PrivacyEstimate e = PrivacyCalculator.estimate(null, null, 256.0 / 6000, 1.1, 24, 1e-5, null);
        DpSgdPrivacy d = new DpSgdPrivacy(DpSgdPrivacy.UNIT, 6000, 256, 256.0 / 6000, 1.5, 1.1, null, 24, 1e-5, true,
                e.epsilonOriginal(), e.epsilonImproved(), "Poisson sampling of the 6000 examples", "secure (test)");
        ClassifierProvenance p = new ClassifierProvenance(ClassifierProvenance.ARCHITECTURE, 10, 93_322, "bundled:lab",
                "sha256:0", 6000, "bundled:field", "sha256:1", 4000, 0.3043, 1, 256, 0.15, 0, 124_578, 30, "M2.1", "cpu",
                "17", "2026-12-06T00:00:00Z", d);
        DebugReport.write(tmp, DebugReport.Content.of(c.verdict(), c.inversionFound(), p, null, null, c));
        String html = Files.readString(tmp.resolve(DebugReport.HTML), StandardCharsets.UTF_8);
        String text = DebugReport.classifierPrivacy(p);
        assertTrue(html.contains(DebugReport.esc(text)), html);
        String eps = String.format(java.util.Locale.ROOT, "epsilon = %.4g (original conversion) / %.4g (improved"
                + " conversion) at delta = 1.00e-05", e.epsilonOriginal(), e.epsilonImproved());
        assertTrue(text.contains(eps), eps + " in " + text);
        for (String part : List.of("sample-level", "one training example of the lab data (bundled:lab, 6000 examples),"
                + " not for a user", "clip S = 1.5", "noise multiplier z = 1.1,", "q = 256/6000 = 0.04267", "24 steps",
                "user-level")) {
            assertTrue(text.contains(part), part + " in " + text);
        }
        assertTrue(!text.contains("NOT private"), text);
        assertTrue(html.contains("trained with DP-SGD (epsilon = " + String.format(java.util.Locale.ROOT, "%.4g",
                e.epsilonOriginal()) + " for one lab example)"), html);
        String json = Files.readString(tmp.resolve(DebugReport.JSON), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"epsilon_original\" : " + e.epsilonOriginal()), json);

        DpSgdPrivacy seeded = new DpSgdPrivacy(d.unit(), 6000, 256, d.q(), 1.5, 1.1, 3.0, 24, 1e-5, true,
                e.epsilonOriginal(), e.epsilonImproved(), d.sampling(), "seeded (reproducible, NOT private; seed 3)");
        String seededText = DebugReport.classifierPrivacy(new ClassifierProvenance(p.architecture(), 10, 1, "bundled:lab",
                "", 6000, "", "", 1, 0.3, 1, 256, 0.15, 0, 3, 1, "", "", "", "", seeded));
        assertTrue(seededText.contains("(chosen for the target epsilon 3)") && seededText.endsWith("NOT private."),
                seededText);
        assertEquals(null, DebugReport.classifierPrivacy(new ClassifierProvenance(p.architecture(), 10, 1, "", "", 1,
                "", "", 1, 0.9, 1, 32, 1e-3, 0, 1, 1, "", "", "", "", null)), "no statement without DP-SGD");
    }

    /** Low-accuracy users drawing inverted digits (+0.8), high-accuracy users normal ones (-0.8). */
    private PopulationComparison.Comparison invertedVsNormal() {
        return PopulationComparison.compare(side("low-accuracy users", 0.8), side("high-accuracy users", -0.8),
                grid(0.8f), grid(-0.8f), dev.fedgan.core.gan.eval.PolarityScale.REFERENCE,
                tmp.resolve(PopulationComparison.SIDE_BY_SIDE));
    }

    static PopulationComparison.Side side(String label, double mean) {
        GanExperiment.Evaluation e = new GanExperiment.Evaluation(3, mean, GanMetrics.polarityOf(mean), null, null, 1.0,
                "images/gen_images_step_00003.png");
        GanExperiment.Result r = new GanExperiment.Result(label, 10, 3, "round limit 3 reached", e, List.of(e),
                PrivacyStatement.of(10, 2, 1.0, 0.1, 3, null, true), "secure", GanRunFiles.GIF);
        return new PopulationComparison.Side(label, "by_user/x", 10, r);
    }

    static BufferedImage grid(float v) {
        float[] pixels = new float[36 * 784];
        Arrays.fill(pixels, v);
        return ImageGrid.grid(pixels, 6, 6);
    }
}

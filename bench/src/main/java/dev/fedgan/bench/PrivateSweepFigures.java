package dev.fedgan.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fedgan.core.gan.PopulationComparison;
import dev.fedgan.core.gan.eval.PolarityScale;
import dev.fedgan.core.io.AtomicFiles;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.population.PopulationFilters;
import dev.fedgan.core.render.GridSheet;
import dev.fedgan.core.render.ImageGrid;
import dev.fedgan.core.render.PrivacySweepChart;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The privacy–utility sweep's figures from its runs' results ({@code fedgan debug --private EPSILON --json}, one per
 * ε): the chart of ε against both GANs' mean pixel, classifier score and Fréchet classifier distance with the
 * verdict at each point ({@link PrivacySweepChart}), the sheet of both GANs' last grids at each ε
 * ({@link GridSheet}), and the table as Markdown.
 *
 * <p>Usage: {@code bench/run.sh --main dev.fedgan.bench.PrivateSweepFigures CHART.png GRIDS.png TABLE.md
 * RESULT.json...}; {@code bench/private-sweep.sh} runs it after the runs.
 */
public final class PrivateSweepFigures {

    /** One run of the sweep, as its result states it. */
    record Run(JsonNode result, double epsilon) {

        double targetEpsilon() {
            return result.get("private_plan").get("target_epsilon").asDouble();
        }

        JsonNode last(String side) {
            return result.get("gans").get(side).get("gan").get("last");
        }

        double value(String side, String field) {
            JsonNode v = last(side).get(field);
            return v == null || v.isNull() ? Double.NaN : v.asDouble();
        }

        BufferedImage grid(String side, String gan) throws IOException {
            Path file = Path.of(result.get("out").asText()).resolve(PopulationComparison.ganFile(gan,
                    last(side).get("grid").asText()));
            BufferedImage img = ImageIO.read(file.toFile());
            if (img == null) {
                throw new IOException(file + ": not a readable PNG");
            }
            return img;
        }

        PrivacySweepChart.Point point() {
            return new PrivacySweepChart.Point(epsilon, value("low", "mean_pixel"), value("high", "mean_pixel"),
                    value("low", "classifier_score"), value("high", "classifier_score"),
                    value("low", "frechet_distance"), value("high", "frechet_distance"),
                    verdict());
        }

        /** The verdict in a word: right (the inversion found), inconclusive, or wrong (no polarity difference). */
        String verdict() {
            return result.get("inversion_found").asBoolean() ? PrivacySweepChart.RIGHT_VERDICT
                    : result.get("verdict").asText().startsWith("Inconclusive") ? "inconclusive" : "wrong";
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 4) {
            System.err.println("usage: PrivateSweepFigures CHART.png GRIDS.png TABLE.md RESULT.json...");
            System.exit(2);
        }
        List<Run> runs = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            JsonNode r = Json.MAPPER.readTree(Path.of(args[i]).toFile());
            if (r.get("private_plan") == null) {
                throw new IllegalArgumentException(args[i] + ": not the result of fedgan debug --private --json");
            }
            runs.add(new Run(r, r.get("privacy").get("epsilon_improved").asDouble(Double.POSITIVE_INFINITY)));
        }
        runs.sort(Comparator.comparingDouble(Run::epsilon));
        PolarityScale scale = new PolarityScale(runs.get(0).result().get("gans").get("scale").get("lab_mean_pixel")
                .asDouble());
        String data = runs.get(0).result().get("selection").get("users").asText() + " users";
        ImageGrid.writePng(PrivacySweepChart.draw("The private debugging verdict against the experiment's \u03b5 ("
                + data + ")", runs.stream().map(Run::point).toList(), scale.bound(), scale.labMeanPixel()),
                Path.of(args[0]));
        List<GridSheet.Row> rows = new ArrayList<>();
        StringBuilder md = new StringBuilder("| target ε | ε (δ) | z | m | low mean pixel | high mean pixel | margin"
                + " | classifier score low / high | FCD low / high | verdict |\n"
                + "|---|---|---|---|---|---|---|---|---|---|\n");
        for (Run r : runs) {
            JsonNode plan = r.result().get("private_plan");
            double lo = r.value("low", "mean_pixel");
            double hi = r.value("high", "mean_pixel");
            rows.add(new GridSheet.Row(PrivacySweepChart.label(r.epsilon()), String.format(Locale.ROOT,
                    "z = %.3g, m = %d\nlow %+.2f, high %+.2f\nverdict %s", plan.get("noise_multiplier").asDouble(),
                    plan.get("clients_per_round").asInt(), lo, hi, r.verdict()),
                    r.grid("low", PopulationFilters.LOW_ACCURACY), r.grid("high", PopulationFilters.HIGH_ACCURACY)));
            md.append(String.format(Locale.ROOT, "| %s | %s | %.3g | %d | %+.3f | %+.3f | %.3f | %.2f / %.2f |"
                    + " %.0f / %.0f | %s |\n", Double.isInfinite(r.targetEpsilon()) ? "∞" : fmt(r.targetEpsilon()),
                    Double.isInfinite(r.epsilon()) ? "∞ (no noise)" : String.format(Locale.ROOT, "%.2f (%.0e)",
                            r.epsilon(), r.result().get("privacy").get("delta").asDouble()),
                    plan.get("noise_multiplier").asDouble(), plan.get("clients_per_round").asInt(), lo, hi, lo - hi,
                    r.value("low", "classifier_score"), r.value("high", "classifier_score"),
                    r.value("low", "frechet_distance"), r.value("high", "frechet_distance"),
                    r.verdict()));
        }
        ImageGrid.writePng(GridSheet.draw("What both GANs draw at each \u03b5", "low-accuracy users",
                "high-accuracy users", rows), Path.of(args[1]));
        AtomicFiles.write(Path.of(args[2]), "Markdown", tmp -> Files.writeString(tmp, md));
        System.out.print(md);
    }

    private static String fmt(double v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }
}

package dev.fedgan.core.fairness;

import static dev.fedgan.core.report.DebugReport.esc;

import dev.fedgan.core.io.AtomicFiles;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.privacy.DpSgdPrivacy;
import dev.fedgan.core.render.FairnessChart;
import dev.fedgan.core.render.ImageGrid;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The files of a fairness sweep: {@value #POINTS_CSV} (a row per point and group), {@value #CLASSES_CSV} (a row per
 * point and class), {@value #JSON} (everything, with each DP point's guarantee), {@value #CHART} and
 * {@value #HTML} (the chart above a table of every point).
 */
public final class FairnessFiles {

    public static final String POINTS_CSV = "points.csv";
    public static final String CLASSES_CSV = "classes.csv";
    public static final String JSON = "fairness.json";
    public static final String CHART = "fairness.png";
    public static final String HTML = "report.html";
    /** Every file {@link #write} writes. */
    public static final List<String> NAMES = List.of(POINTS_CSV, CLASSES_CSV, JSON, CHART, HTML);

    /** The columns of {@value #POINTS_CSV}; ε columns are empty for a non-private point. */
    public static final String POINTS_HEADER = "share,setting,group,examples,accuracy,precision,recall,f1,positive_rate,"
            + "mean_gradient_norm,share_over_clip,train_examples,minority_train_examples,noise_multiplier,epsilon,"
            + "epsilon_improved,delta,seconds";

    /** The columns of {@value #CLASSES_CSV}. */
    public static final String CLASSES_HEADER = "share,setting,class,examples,mean_gradient_norm,share_over_clip";

    private FairnessFiles() {
    }

    /** Writes the five files into {@code dir}. */
    public static void write(Path dir, FairnessSweep.Options o, int size, List<FairnessSweep.Point> points) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        text(dir.resolve(POINTS_CSV), "points CSV", pointsCsv(points));
        text(dir.resolve(CLASSES_CSV), "classes CSV", classesCsv(points));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("minority_group", o.group().describe());
        json.put("train_examples", size);
        json.put("shares", o.shares());
        json.put("settings", o.settings().stream().map(FairnessSweep.Setting::name).toList());
        json.put("model", o.model().name().toLowerCase(Locale.ROOT));
        json.put("seed", o.seed());
        json.put("points", points);
        Json.write(dir.resolve(JSON), json);
        ImageGrid.writePng(chart(o, points), dir.resolve(CHART));
        text(dir.resolve(HTML), "HTML report", html(o, size, points));
    }

    /** One point as JSON, as a worker stores it and {@link #readPoint} reads it back. */
    public static String pointJson(FairnessSweep.Point p) {
        return Json.toString(p);
    }

    /**
     * A point stored by {@link #pointJson}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static FairnessSweep.Point readPoint(String json) {
        try {
            return Json.MAPPER.readValue(json, FairnessSweep.Point.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not a fairness point: " + e.getOriginalMessage(), e);
        }
    }

    static String html(FairnessSweep.Options o, int size, List<FairnessSweep.Point> points) {
        StringBuilder h = new StringBuilder("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>fedgan fairness sweep</title><style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;"
                + "color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
                + "img{max-width:100%}</style></head><body><h1>fedgan fairness sweep</h1>");
        h.append("<p>Minority: <b>").append(esc(o.group().describe())).append("</b>. ").append(size)
                .append(" training examples at every share; model ").append(esc(o.model().name().toLowerCase(Locale.ROOT)))
                .append(", the same initial weights (seed ").append(o.seed()).append(") at every point. Every figure is"
                        + " measured on the test set.</p>");
        h.append("<img alt=\"accuracy per group and the gap against the majority's share\" src=\"").append(CHART)
                .append("\">");
        h.append("<table><tr><th>majority share</th><th>setting</th><th>majority accuracy</th><th>minority accuracy</th>"
                + "<th>gap (points)</th><th>minority F1</th><th>minority mean gradient norm</th>"
                + "<th>minority share over S</th><th>epsilon (original / improved)</th></tr>");
        for (FairnessSweep.Point p : points) {
            FairnessSweep.Norms min = p.groupNorms().get(1);
            DpSgdPrivacy d = p.privacy();
            h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%.1f%%</td><td>%.1f%%</td><td>%.1f</td>"
                            + "<td>%.3f</td><td>%.3g</td><td>%.1f%%</td><td>%s</td></tr>", p.share(), esc(p.setting()),
                    100 * p.majority().accuracy(), 100 * p.minority().accuracy(), 100 * p.accuracyGap(),
                    p.minority().f1(), min.meanNorm(), 100 * min.shareOverClip(), d == null ? "not private"
                            : String.format(Locale.ROOT, "%.3g / %.3g at δ %.2g (%s)", d.epsilonOriginal(),
                            d.epsilonImproved(), d.delta(), esc(d.unit().startsWith("one user") ? "one user"
                                    : "one example"))));
        }
        h.append("</table><p>Epsilon is each run's own accountant (Poisson sampling, the steps or rounds it took):"
                + " DP-SGD's guarantee protects one training example, DP-FedAvg's one user (all of their examples)."
                + " For DP-FedAvg the minority's norm and share over S are per test user: the norm of the update the"
                + " user's local training would send, and the share of users the update clip would scale down."
                + " Columns and per-class figures: ")
                .append(POINTS_CSV).append(", ").append(CLASSES_CSV).append(", ").append(JSON).append(".</p>");
        return h.append("</body></html>\n").toString();
    }

    static String pointsCsv(List<FairnessSweep.Point> points) {
        StringBuilder b = new StringBuilder(POINTS_HEADER).append('\n');
        for (FairnessSweep.Point p : points) {
            FairnessSweep.Norms maj = p.groupNorms().get(0);
            FairnessSweep.Norms min = p.groupNorms().get(1);
            int n = maj.examples() + min.examples();
            FairnessSweep.Norms all = new FairnessSweep.Norms("overall", n,
                    (maj.examples() * nz(maj.meanNorm()) + min.examples() * nz(min.meanNorm())) / n,
                    (maj.examples() * nz(maj.shareOverClip()) + min.examples() * nz(min.shareOverClip())) / n);
            row(b, p, p.overall(), all);
            row(b, p, p.majority(), maj);
            row(b, p, p.minority(), min);
        }
        return b.toString();
    }

    private static double nz(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    private static void row(StringBuilder b, FairnessSweep.Point p, GroupMetrics m, FairnessSweep.Norms norms) {
        DpSgdPrivacy d = p.privacy();
        b.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%s,%s,%s,%s,%s,%s,%s,%d,%d,%s,%s,%s,%s,%.1f%n", p.share(),
                p.setting(), m.group(), m.examples(), num(m.accuracy()), num(m.precision()), num(m.recall()),
                num(m.f1()), m.positiveRate() == null ? "" : num(m.positiveRate()), num(norms.meanNorm()),
                num(norms.shareOverClip()), p.trainExamples(), p.minorityExamples(),
                d == null ? "" : num(d.noiseMultiplier()), d == null ? "" : num(d.epsilonOriginal()),
                d == null ? "" : num(d.epsilonImproved()), d == null ? "" : String.format(Locale.ROOT, "%.3g", d.delta()),
                p.seconds()));
    }

    static String classesCsv(List<FairnessSweep.Point> points) {
        StringBuilder b = new StringBuilder(CLASSES_HEADER).append('\n');
        for (FairnessSweep.Point p : points) {
            for (int c = 0; c < p.classNorms().size(); c++) {
                FairnessSweep.Norms n = p.classNorms().get(c);
                b.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%s,%s%n", p.share(), p.setting(), c, n.examples(),
                        num(n.meanNorm()), num(n.shareOverClip())));
            }
        }
        return b.toString();
    }

    /** The chart: accuracy per group and setting, and the gap, against the shares in the sweep's order. */
    public static java.awt.image.BufferedImage chart(FairnessSweep.Options o, List<FairnessSweep.Point> points) {
        String[] labels = o.shares().stream().map(s -> String.format(Locale.ROOT, "%s", s)).toArray(String[]::new);
        List<FairnessChart.Setting> settings = new ArrayList<>();
        for (FairnessSweep.Setting s : o.settings()) {
            double[] majority = new double[labels.length];
            double[] minority = new double[labels.length];
            java.util.Arrays.fill(majority, Double.NaN);
            java.util.Arrays.fill(minority, Double.NaN);
            for (FairnessSweep.Point p : points) {
                int i = o.shares().indexOf(p.share());
                if (p.setting().equals(s.name()) && i >= 0) {
                    majority[i] = p.majority().accuracy();
                    minority[i] = p.minority().accuracy();
                }
            }
            settings.add(new FairnessChart.Setting(s.name(), majority, minority));
        }
        return FairnessChart.draw("Accuracy per group against the majority's share (minority: "
                + o.group().describe() + ")", labels, o.group() instanceof MinorityGroup.InvertedImages ? "inverted"
                : "minority", settings);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    private static void text(Path file, String kind, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, kind, f -> Files.write(f, bytes));
    }
}

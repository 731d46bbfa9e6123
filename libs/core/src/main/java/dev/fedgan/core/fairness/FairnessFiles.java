package dev.fedgan.core.fairness;

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
 * point and class), {@value #JSON} (everything, with each DP point's guarantee) and {@value #CHART}.
 */
public final class FairnessFiles {

    public static final String POINTS_CSV = "points.csv";
    public static final String CLASSES_CSV = "classes.csv";
    public static final String JSON = "fairness.json";
    public static final String CHART = "fairness.png";

    /** The columns of {@value #POINTS_CSV}; ε columns are empty for a non-private point. */
    public static final String POINTS_HEADER = "share,setting,group,examples,accuracy,precision,recall,f1,positive_rate,"
            + "mean_gradient_norm,share_over_clip,train_examples,minority_train_examples,noise_multiplier,epsilon,"
            + "epsilon_improved,delta,seconds";

    /** The columns of {@value #CLASSES_CSV}. */
    public static final String CLASSES_HEADER = "share,setting,class,examples,mean_gradient_norm,share_over_clip";

    private FairnessFiles() {
    }

    /** Writes the four files into {@code dir}. */
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
                + o.group().describe() + ")", labels, o.group() instanceof MinorityGroup.RareClass ? "minority"
                : "inverted", settings);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    private static void text(Path file, String kind, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, kind, f -> Files.write(f, bytes));
    }
}

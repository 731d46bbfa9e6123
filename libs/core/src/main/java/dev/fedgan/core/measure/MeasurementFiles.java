package dev.fedgan.core.measure;

import dev.fedgan.core.io.Json;
import dev.fedgan.core.population.PopulationCsv;
import dev.fedgan.core.render.HistogramChart;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * A measurement on disk: {@code per_writer_accuracy.csv} (one row per writer, with the per-example correctness
 * mask the by_example filter needs) and {@code measurement.json} (the summary: overall accuracy, percentiles,
 * histogram, and what was measured).
 */
public final class MeasurementFiles {

    public static final String PER_WRITER = "per_writer_accuracy.csv";
    public static final String SUMMARY = "measurement.json";
    public static final String HISTOGRAM_PNG = "accuracy_histogram.png";
    /** Which writers really have the bug, as {@code client_id,True|False}: for evaluation, never for filtering. */
    public static final String GROUND_TRUTH = "inverted_writers.csv";
    static final String HEADER = "client_id,num_examples,num_correct,accuracy,inverted,correct_mask";

    /**
     * The measurement's summary file.
     *
     * @param data             the measured data
     * @param dataFingerprint  its fingerprint (before the bug)
     * @param classifier       the classifier directory or name
     * @param invertProbability the bug's p
     * @param bugSeed          the bug's seed
     */
    public record Summary(String data, String dataFingerprint, String classifier, double invertProbability, long bugSeed,
                          int writers, long examples, long invertedWriters, double overallAccuracy,
                          double percentile25, double percentile75, int[] histogram, double seconds) {

        public static Summary of(Measurement m, String data, String fingerprint, String classifier, double p, long seed, double seconds) {
            return new Summary(data, fingerprint, classifier, p, seed, m.writers().size(), m.numExamples(), m.numInverted(),
                    m.overallAccuracy(), m.lowThreshold(), m.highThreshold(), m.histogram(), seconds);
        }
    }

    private MeasurementFiles() {
    }

    /** Writes the per-writer CSV, the summary, the ground truth and the histogram picture into {@code dir}. */
    public static void write(Path dir, Measurement m, Summary summary) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (WriterAccuracy w : m.writers()) {
            sb.append(w.writerId()).append(',').append(w.total()).append(',').append(w.numCorrect()).append(',')
                    .append(String.format(Locale.ROOT, "%.6f", w.accuracy())).append(',')
                    .append(w.inverted() ? "True" : "False").append(',').append(w.mask()).append('\n');
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(PER_WRITER), sb, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(dir.resolve(PER_WRITER) + ": cannot write: " + e.getMessage(), e);
        }
        Json.write(dir.resolve(SUMMARY), summary);
        Map<String, Boolean> truth = new LinkedHashMap<>();
        m.writers().forEach(w -> truth.put(w.writerId(), w.inverted()));
        PopulationCsv.writeInversionMap(dir.resolve(GROUND_TRUTH), truth);
        HistogramChart.write(dir.resolve(HISTOGRAM_PNG), summary.histogram(), summary.percentile25(), summary.percentile75(),
                String.format(Locale.ROOT, "%s: %d writers, %.0f%% inverted by the bug, overall accuracy %.1f%%",
                        summary.data(), summary.writers(), 100.0 * summary.invertedWriters() / summary.writers(),
                        100 * summary.overallAccuracy()));
    }

    /** Reads {@code per_writer_accuracy.csv} back; every row is checked for consistency. */
    public static Measurement read(Path dir) {
        Path file = dir.resolve(PER_WRITER);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read (expected the output directory of 'fedgan measure'): "
                    + e.getMessage(), e);
        }
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IllegalArgumentException(file + ":1: expected header '" + HEADER + "'");
        }
        List<WriterAccuracy> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String where = file + ":" + (i + 1);
            String[] f = line.split(",", -1);
            if (f.length != 6) {
                throw new IllegalArgumentException(where + ": expected 6 fields, found " + f.length);
            }
            String mask = f[5];
            boolean[] correct = new boolean[mask.length()];
            int numCorrect = 0;
            for (int k = 0; k < mask.length(); k++) {
                char c = mask.charAt(k);
                if (c != '0' && c != '1') {
                    throw new IllegalArgumentException(where + ": correct_mask may hold only 0 and 1");
                }
                correct[k] = c == '1';
                numCorrect += correct[k] ? 1 : 0;
            }
            try {
                if (Integer.parseInt(f[1]) != mask.length() || Integer.parseInt(f[2]) != numCorrect || mask.isEmpty()) {
                    throw new IllegalArgumentException(where + ": num_examples/num_correct disagree with correct_mask");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": num_examples and num_correct must be integers", e);
            }
            if (!f[4].equals("True") && !f[4].equals("False")) {
                throw new IllegalArgumentException(where + ": inverted must be True or False");
            }
            out.add(new WriterAccuracy(f[0], correct, f[4].equals("True")));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": no writers");
        }
        return new Measurement(out);
    }
}

package dev.fedgan.core.gan;

import dev.fedgan.core.io.AtomicFiles;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.privacy.PrivacyStatement;
import dev.fedgan.core.render.GridAnimation;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The names and the content of the files each GAN of a run leaves in its directory: {@value #EVALUATIONS},
 * {@value #EVALUATIONS_CSV}, {@value #ROUNDS_CSV}, {@value #GIF} and {@value #PRIVACY}.
 *
 * <p>The one-JVM run ({@link GanExperiment}, to a directory) and the services (to the object store) both take the
 * content from here and only store it, so the two paths write the same bytes for the same run and cannot drift
 * apart. Each method returns the content; {@link #write} stores it under a directory.
 */
public final class GanRunFiles {

    /** The list of {@link GanExperiment.Evaluation}s, as JSON. */
    public static final String EVALUATIONS = "evaluations.json";
    /** The same evaluations as CSV, one row per evaluation, empty cells for metrics not computed. */
    public static final String EVALUATIONS_CSV = "evaluations.csv";
    /** The per-round log: one row per round trained, with {@link #ROUNDS_CSV_HEADER}'s columns only. */
    public static final String ROUNDS_CSV = "rounds.csv";
    /** The animation of the GAN's grids over training. */
    public static final String GIF = "grids.gif";
    /** Time per frame of {@link #GIF}: long enough to read a grid, short enough to see the trend. */
    public static final int GIF_FRAME_MILLIS = 400;
    /** The run's {@link PrivacyStatement}. */
    public static final String PRIVACY = "privacy.json";

    /**
     * The header line of {@link #ROUNDS_CSV}: the round, the server-side generator loss (post-processing of the
     * noised critic), ε after the round and the round's clip norm S (empty without DP; with adaptive clipping
     * computed from the earlier rounds' noised counts, so accounted). The file is released, so it holds nothing that
     * depends on the round's sample otherwise: no client ids, no client losses, norms or counts, no wall time
     * (docs/privacy.md).
     */
    public static final String ROUNDS_CSV_HEADER = "round,generator_loss,epsilon,clip\n";

    /** The header line of {@link #EVALUATIONS_CSV}. */
    static final String EVALUATIONS_CSV_HEADER =
            "round,mean_pixel,polarity,classifier_score,frechet_distance,epsilon,grid\n";

    private GanRunFiles() {
    }

    /** One round's line of {@link #ROUNDS_CSV}, appended after {@link #ROUNDS_CSV_HEADER} as rounds complete. */
    public static String roundsCsvRow(FederatedGanTraining.RoundReport r) {
        Double clip = r.aggregate().clipNorm();
        return String.format(Locale.ROOT, "%d,%.6g,%.6g,%s\n", r.round(), r.generatorLoss(), r.epsilon(),
                clip == null ? "" : String.format(Locale.ROOT, "%.6g", clip));
    }

    /**
     * The rows of a stored {@link #ROUNDS_CSV}, each reduced to the columns of {@link #ROUNDS_CSV_HEADER} (a file of
     * an earlier version had more, e.g. the sampled client ids, which a resumed run must not release again).
     *
     * @return one line per row, each ending with a newline, in the file's order; a column missing from the stored
     *         header stays empty
     */
    public static List<String> roundsCsvRows(String stored) {
        String[] lines = stored.split("\n");
        if (lines.length == 0 || lines[0].isBlank()) {
            return List.of();
        }
        List<String> storedColumns = List.of(lines[0].strip().split(",", -1));
        List<String> columns = List.of(ROUNDS_CSV_HEADER.strip().split(","));
        List<String> rows = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String[] cells = lines[i].strip().split(",", -1);
            StringBuilder row = new StringBuilder();
            for (String column : columns) {
                int at = storedColumns.indexOf(column);
                row.append(row.isEmpty() ? "" : ",").append(at >= 0 && at < cells.length ? cells[at] : "");
            }
            rows.add(row.append('\n').toString());
        }
        return rows;
    }

    /** {@link #EVALUATIONS}: the evaluations in the order given (round order). */
    public static byte[] evaluationsJson(List<GanExperiment.Evaluation> evaluations) {
        return utf8(Json.toString(evaluations));
    }

    /** {@link #EVALUATIONS_CSV}: the header, then one row per evaluation in the order given. */
    public static byte[] evaluationsCsv(List<GanExperiment.Evaluation> evaluations) {
        StringBuilder sb = new StringBuilder(EVALUATIONS_CSV_HEADER);
        for (GanExperiment.Evaluation e : evaluations) {
            sb.append(String.format(Locale.ROOT, "%d,%.6f,%s,%s,%s,%.6g,%s\n", e.round(), e.meanPixel(),
                    e.polarity().name(), optional(e.classifierScore()), optional(e.frechetDistance()), e.epsilon(),
                    e.grid()));
        }
        return utf8(sb.toString());
    }

    /**
     * {@link #GIF}: the grids in round order, each captioned (e.g. {@link GanEvaluator#caption}).
     *
     * @param grids    at least one grid
     * @param captions one per grid
     */
    public static byte[] gif(List<BufferedImage> grids, List<String> captions) {
        return GridAnimation.gif(grids, captions, GIF_FRAME_MILLIS);
    }

    /** {@link #PRIVACY}. */
    public static byte[] privacyJson(PrivacyStatement privacy) {
        return utf8(Json.toString(privacy));
    }

    /** Stores {@code content} as {@code dir/name}, atomically (a reader never sees half a file). */
    public static Path write(Path dir, String name, byte[] content) {
        Path file = dir.resolve(name);
        AtomicFiles.write(file, name, tmp -> Files.write(tmp, content));
        return file;
    }

    private static String optional(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package dev.fedgan.core.gan.rgb;

import dev.fedgan.core.render.EpochChart;
import dev.fedgan.core.render.GridAnimation;
import dev.fedgan.core.render.HistogramChart;
import dev.fedgan.core.report.DebugReport;
import dev.fedgan.core.render.ImageGrid;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The files of an RGB DCGAN run, their names and their bytes, in one place: {@code fedgan rgb} writes them to its
 * output directory, image-render to the run's {@code files/} in the object store.
 * <ul>
 *   <li>{@code grids/round-NNNN.png}: {@value RgbSpec#GRID_IMAGES} images of the round's generator, 4 × 8, from the
 *       same latents every round (the run's seed)</li>
 *   <li>{@code rounds.csv}: per round the clients' mean discriminator loss on the fakes and generator loss (both
 *       functions of the clients' DP discriminators and the generator only), the largest client ε (empty when
 *       non-private) and, in the rounds with a grid when the run computes it, the {@link ColourQuality} Fréchet
 *       distance. The discriminator's loss on the drawn real images is not written: it is a function of those
 *       images without noise.</li>
 *   <li>{@code training.gif}: the grids in round order, each captioned with its round and ε</li>
 *   <li>{@code quality.png} and {@code report.html}, after the last round: the quality figure and ε per round; the
 *       privacy statement, the last grid, the GIF and the rounds</li>
 * </ul>
 */
public final class RgbRunFiles {

    public static final String CSV = "rounds.csv";
    public static final String GIF = "training.gif";
    public static final String HTML = "report.html";
    public static final String CHART = "quality.png";
    static final String CSV_HEADER = "round,discriminator_fake_loss,generator_loss,epsilon,frechet_distance\n";
    private static final int FRAME_MILLIS = 400;

    private RgbRunFiles() {
    }

    /** The grid of round {@code r}, relative to the run's files. */
    public static String grid(int r) {
        return String.format(Locale.ROOT, "grids/round-%04d.png", r);
    }

    /** The grid of a generator's images ({@link DcganFederation#draw}). */
    public static BufferedImage gridImage(float[] images) {
        return ImageGrid.colourGrid(images, DcganNetworks.SIDE, 4, 8);
    }

    public static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer for image type " + image.getType());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A grid read back from its PNG bytes, as the RGB picture {@link #gridImage} drew (so that a GIF made of grids
     * read back is in colour, and the same as one made of the grids drawn).
     *
     * @throws IllegalArgumentException if the bytes are not an image
     */
    public static BufferedImage readGrid(byte[] png) {
        BufferedImage read;
        try {
            read = ImageIO.read(new java.io.ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new IllegalArgumentException("a grid that is not a PNG: " + e.getMessage(), e);
        }
        if (read == null) {
            throw new IllegalArgumentException("a grid that is not a PNG (" + png.length + " bytes)");
        }
        BufferedImage rgb = new BufferedImage(read.getWidth(), read.getHeight(), BufferedImage.TYPE_INT_RGB);
        rgb.createGraphics().drawImage(read, 0, 0, null);
        return rgb;
    }

    /**
     * A row of {@code rounds.csv}: a round and its quality figure.
     *
     * @param frechet the {@link ColourQuality} Fréchet distance of the round's generator, or null (not computed)
     */
    public record Row(DcganFederation.Round round, Double frechet) {
    }

    /** {@code rounds.csv} of these rounds. */
    public static String csv(List<Row> rows, boolean nonPrivate) {
        StringBuilder csv = new StringBuilder(CSV_HEADER);
        for (Row row : rows) {
            DcganFederation.Round r = row.round();
            csv.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%s,%s%n", r.round(), r.discriminatorFakeLoss(),
                    r.generatorLoss(),
                    nonPrivate ? "" : Double.toString(r.epsilon()),
                    row.frechet() == null ? "" : String.format(Locale.ROOT, "%.4f", row.frechet())));
        }
        return csv.toString();
    }

    /** A grid's caption in the GIF: the round, ε, and the quality figure when computed. */
    public static String caption(Row row, boolean nonPrivate) {
        DcganFederation.Round r = row.round();
        return (nonPrivate ? "round " + r.round() : String.format(Locale.ROOT, "round %d, epsilon %.2f", r.round(),
                r.epsilon())) + (row.frechet() == null ? "" : String.format(Locale.ROOT, ", FD %.1f", row.frechet()));
    }

    /** {@code training.gif} of the grids and their captions, in round order. */
    public static byte[] gif(List<BufferedImage> grids, List<String> captions) {
        return GridAnimation.gif(grids, captions, FRAME_MILLIS);
    }

    /**
     * {@code quality.png}: the Fréchet distance (rounds with a grid) above the largest client ε, per round; null when
     * there is neither (a non-private run without the quality figure).
     */
    public static BufferedImage chart(List<Row> rows, boolean nonPrivate) {
        double[] fd = rows.stream().mapToDouble(r -> r.frechet() == null ? Double.NaN : r.frechet()).toArray();
        double[] eps = rows.stream().mapToDouble(r -> r.round().epsilon()).toArray();
        double max = java.util.Arrays.stream(fd).filter(Double::isFinite).max().orElse(Double.NaN);
        if (Double.isNaN(max) && nonPrivate) {
            return null;
        }
        return EpochChart.draw("RGB DCGAN: sample quality and privacy per round", "round",
                "Frechet distance (lower is better)", List.of(new EpochChart.Series("Frechet distance",
                        new java.awt.Color(0x1F77B4), fd)), 0, Double.isNaN(max) ? 1 : HistogramChart.niceCeiling(max),
                1, nonPrivate ? null : eps);
    }

    /**
     * {@code report.html}.
     *
     * @param privacy the run's privacy statement ({@link #samplePrivacy}, or the user-level mode's)
     * @param chart   whether {@link #CHART} was written
     */
    public static String report(String title, String privacy, List<Row> rows, boolean nonPrivate, boolean chart,
                                int lastGrid) {
        StringBuilder h = new StringBuilder("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(DebugReport.esc(title)).append("</title><style>body{font-family:sans-serif;max-width:1100px;"
                        + "margin:2em auto;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
                        + "padding:4px 8px;text-align:right}img{max-width:100%}</style></head><body><h1>")
                .append(DebugReport.esc(title)).append("</h1><p>").append(DebugReport.esc(privacy)).append("</p>");
        h.append("<p><img alt=\"the generator's images after the last round\" src=\"").append(grid(lastGrid))
                .append("\"> <img alt=\"the grids over training\" src=\"").append(GIF).append("\"></p>");
        if (chart) {
            h.append("<p><img alt=\"quality and epsilon per round\" src=\"").append(CHART).append("\"></p>");
        }
        h.append("<table><tr><th>round</th><th>discriminator loss on generated images</th><th>generator loss</th>"
                + "<th>epsilon</th><th>Frechet distance</th></tr>");
        for (Row row : rows) {
            DcganFederation.Round r = row.round();
            h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.4f</td><td>%.4f</td><td>%s</td><td>%s</td></tr>",
                    r.round(), r.discriminatorFakeLoss(), r.generatorLoss(), nonPrivate ? "not private"
                            : String.format(Locale.ROOT, "%.3f", r.epsilon()), row.frechet() == null ? ""
                            : String.format(Locale.ROOT, "%.2f", row.frechet())));
        }
        return h.append("</table><p>The Fréchet distance compares the generator's images with the run's own images in"
                + " the features of a small classifier trained on them (0: the real images; lower is better). It reads"
                + " the real images without noise and is computed only where they may be seen (the generated shapes,"
                + " or on request). The discriminators' loss on real images is not reported: it is a function of"
                + " those images without noise. Columns: ").append(CSV).append(".</p></body></html>\n").toString();
    }

    /** The sample-level statement: each client's discriminator by DP-SGD on its own images. */
    public static String samplePrivacy(RgbSpec spec, int clients, int smallestClient, double delta, double epsilon) {
        if (spec.nonPrivate()) {
            return String.format(Locale.ROOT, "Not private: %d clients, %d rounds of %d steps, no clipping or noise.",
                    clients, spec.rounds(), spec.localSteps());
        }
        return String.format(Locale.ROOT, "Sample level: each of the %d clients trains its discriminator with DP-SGD"
                + " on its own images (each image drawn with probability q = B/n, its gradient%s clipped to S = %s, "
                + "N(0, (zS)²) added with z = %s), %d steps over %d rounds; the fake-image term and the generator step"
                + " touch no real image and are not charged. Largest client ε = %.3f at δ = %.3g (the smallest "
                + "client, %d images, q = %.4g), original RDP conversion: it protects one image of a client against "
                + "everyone who sees the networks and these files.", clients,
                spec.loss() == DcganClient.Objective.WGAN_GP ? " (WGAN-GP: its score's and its gradient penalty's at a"
                        + " point between it and a generated image, as one vector)" : "", fmt(spec.clip()),
                fmt(spec.noiseMultiplier()), spec.rounds() * spec.localSteps(), spec.rounds(), epsilon, delta,
                smallestClient, (double) spec.batch() / smallestClient);
    }

    /** The user-level statement ({@link UserLevelFederation}). */
    public static String userPrivacy(UserLevelFederation.Options o, int clients, double delta, double epsilon) {
        if (o.nonPrivate()) {
            return String.format(Locale.ROOT, "Not private: all %d clients every round, %d rounds, no clipping or "
                    + "noise.", clients, o.rounds());
        }
        return String.format(Locale.ROOT, "User level: each round each of the %d clients is included with probability"
                + " q = %d/%d; an included client trains the discriminator on its images without noise; the server "
                + "clips each client's discriminator delta to S = %s, adds N(0, (zS)²) with z = %s to the sum once and"
                + " divides by %d, then trains the generator. ε = %.3f at δ = %.3g after %d rounds, original RDP "
                + "conversion: it protects all of one client's images.", clients, o.clientsPerRound(), clients,
                fmt(o.clipNorm()), fmt(o.noiseMultiplier()), o.clientsPerRound(), epsilon, delta, o.rounds());
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : Double.toString(v);
    }
}

package dev.fedgan.core.gan.rgb;

import dev.fedgan.core.render.GridAnimation;
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
 * </ul>
 */
public final class RgbRunFiles {

    public static final String CSV = "rounds.csv";
    public static final String GIF = "training.gif";
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
}

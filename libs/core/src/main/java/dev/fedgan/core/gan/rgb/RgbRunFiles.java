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
 *   <li>{@code rounds.csv}: per round the clients' mean losses and the largest client ε (empty when
 *       non-private)</li>
 *   <li>{@code training.gif}: the grids in round order, each captioned with its round and ε</li>
 * </ul>
 */
public final class RgbRunFiles {

    public static final String CSV = "rounds.csv";
    public static final String GIF = "training.gif";
    static final String CSV_HEADER = "round,discriminator_real_loss,discriminator_fake_loss,generator_loss,epsilon\n";
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

    /** {@code rounds.csv} of these rounds. */
    public static String csv(List<DcganFederation.Round> rounds, boolean nonPrivate) {
        StringBuilder csv = new StringBuilder(CSV_HEADER);
        for (DcganFederation.Round r : rounds) {
            csv.append(String.format(Locale.ROOT, "%d,%s,%.6f,%.6f,%s%n", r.round(),
                    Double.isNaN(r.discriminatorRealLoss()) ? "" : String.format(Locale.ROOT, "%.6f",
                            r.discriminatorRealLoss()), r.discriminatorFakeLoss(), r.generatorLoss(),
                    nonPrivate ? "" : Double.toString(r.epsilon())));
        }
        return csv.toString();
    }

    /** A grid's caption in the GIF. */
    public static String caption(DcganFederation.Round r, boolean nonPrivate) {
        return nonPrivate ? "round " + r.round() : String.format(Locale.ROOT, "round %d, epsilon %.2f", r.round(),
                r.epsilon());
    }

    /** {@code training.gif} of the grids and their captions, in round order. */
    public static byte[] gif(List<BufferedImage> grids, List<String> captions) {
        return GridAnimation.gif(grids, captions, FRAME_MILLIS);
    }
}

package dev.fedgan.core.gan.eval;

import dev.fedgan.core.gan.eval.GanMetrics.Polarity;
import java.util.Locale;

/**
 * Where a batch's mean pixel counts as normal or inverted, measured on the lab data (what the classifier is trained
 * on, which no user holds) rather than assumed: normal images average the lab data's mean pixel m (about −0.74 for
 * the bundled digits, −0.43 for Fashion-MNIST, whose clothes cover more of the image than strokes do), inverted ones
 * −m. A batch is {@link Polarity#NORMAL} at or below −b and {@link Polarity#INVERTED} at or above +b, with
 * b = min({@value #MAX_BOUND}, |m| / 2): halfway from the midpoint 0 to either cluster, and never further out than
 * the {@value #MAX_BOUND} that suits digits. Between the two (a half-and-half mix, an untrained generator near 0)
 * it is {@link Polarity#UNCLEAR} rather than guessed.
 *
 * @param labMeanPixel m, the lab data's mean pixel in fedgan's internal form (background −1)
 */
public record PolarityScale(double labMeanPixel) {

    /** The furthest from 0 a threshold goes. */
    public static final double MAX_BOUND = 0.3;
    /** The reference's digits (about −0.7), for when no lab data is at hand. */
    public static final PolarityScale REFERENCE = new PolarityScale(-0.7);

    public PolarityScale {
        if (!(labMeanPixel >= -1 && labMeanPixel <= -0.02)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "the lab data's mean pixel must be in [-1, -0.02]"
                    + " (dark background, fedgan's internal form), got %s: a polarity check needs normal images to be"
                    + " darker than inverted ones", labMeanPixel));
        }
    }

    /** The scale of these lab images ({@code n * 784} values). */
    public static PolarityScale of(float[] labImages) {
        return new PolarityScale(GanMetrics.meanPixel(labImages));
    }

    /** The scale of these lab images, or the reference's when there are none (null). */
    public static PolarityScale ofOrReference(float[] labImages) {
        return labImages == null ? REFERENCE : of(labImages);
    }

    /** b: a batch at or below −b is normal, at or above +b inverted. */
    public double bound() {
        return Math.min(MAX_BOUND, -labMeanPixel / 2);
    }

    /** The polarity a batch's mean pixel stands for. */
    public Polarity polarityOf(double meanPixel) {
        if (Double.isNaN(meanPixel)) {
            throw new IllegalArgumentException("mean pixel is NaN");
        }
        if (meanPixel <= -bound()) {
            return Polarity.NORMAL;
        }
        if (meanPixel >= bound()) {
            return Polarity.INVERTED;
        }
        return Polarity.UNCLEAR;
    }

    /** A one-line description for pictures and logs, e.g. {@code "mean pixel +0.41 → inverted"}. */
    public String caption(double meanPixel) {
        return String.format(Locale.ROOT, "mean pixel %+.2f \u2192 %s", meanPixel,
                polarityOf(meanPixel).name().toLowerCase(Locale.ROOT));
    }

    /** What the figures are compared with, e.g. {@code "the lab data's images average -0.43, their negatives +0.43"}. */
    public String references() {
        return String.format(Locale.ROOT, "the lab data's images average %+.2f, their negatives %+.2f; normal at or below"
                + " %+.2f, inverted at or above %+.2f", labMeanPixel, -labMeanPixel, -bound(), bound());
    }
}

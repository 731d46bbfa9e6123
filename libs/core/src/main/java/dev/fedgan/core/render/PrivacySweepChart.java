package dev.fedgan.core.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The private debugging at several ε as one PNG: for each ε (ascending, the noise-free ∞ last) the verdict, then
 * three panels over the same ε axis with one line per GAN: the mean generated pixel against the polarity bounds
 * (the verdict's evidence), the classifier score and the Fréchet classifier distance to the lab data. A person sees
 * where the guarantee starts to cost the verdict.
 */
public final class PrivacySweepChart {

    /**
     * One run of the sweep.
     *
     * @param epsilon the experiment's total ε (infinite for the noise-free run)
     * @param verdict the verdict in a word: {@value #RIGHT_VERDICT} (low-accuracy GAN inverted, high-accuracy GAN
     *                normal; drawn green), or another word such as "inconclusive" or "wrong" (drawn red)
     */
    public record Point(double epsilon, double lowMeanPixel, double highMeanPixel, double lowScore, double highScore,
                        double lowFrechet, double highFrechet, String verdict) {

        boolean right() {
            return RIGHT_VERDICT.equals(verdict);
        }
    }

    public static final String RIGHT_VERDICT = "right";

    static final Color LOW = new Color(0xD62728);
    static final Color HIGH = new Color(0x1F77B4);
    static final Color RIGHT = new Color(0x2CA02C);
    private static final int W = 960;
    private static final int PANEL = 220;
    private static final int LEFT = 80;
    private static final int RIGHT_MARGIN = 30;
    private static final int TOP = 110;
    private static final int GAP = 75;
    private static final int BOTTOM = 50;

    private PrivacySweepChart() {
    }

    /** The x label of an ε: its value to 2 significant figures, or ∞ (no noise). */
    public static String label(double epsilon) {
        return Double.isInfinite(epsilon) ? "\u221e (no noise)" : "\u03b5 " + new java.math.BigDecimal(epsilon)
                .round(new java.math.MathContext(2)).stripTrailingZeros().toPlainString();
    }

    /**
     * @param bound        the polarity bound: normal at or below −bound, inverted at or above +bound
     * @param labMeanPixel the lab data's mean pixel, the normal polarity's reference
     */
    public static BufferedImage draw(String title, List<Point> points, double bound, double labMeanPixel) {
        List<Point> ps = points.stream().sorted(Comparator.comparingDouble(Point::epsilon)).toList();
        int n = ps.size();
        int h = TOP + 3 * PANEL + 2 * GAP + BOTTOM;
        BufferedImage img = new BufferedImage(W, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            LinePanel.background(g, W, h, title, LEFT);
            String[] labels = new String[n];
            double[][] v = new double[6][n];
            for (int i = 0; i < n; i++) {
                Point p = ps.get(i);
                labels[i] = label(p.epsilon());
                double[] row = {p.lowMeanPixel(), p.highMeanPixel(), p.lowScore(), p.highScore(), p.lowFrechet(),
                    p.highFrechet()};
                for (int k = 0; k < 6; k++) {
                    v[k][i] = row[k];
                }
            }
            LinePanel first = panel(0, n);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            for (int i = 0; i < n; i++) {
                String verdict = ps.get(i).verdict();
                g.setColor(ps.get(i).right() ? RIGHT : LOW);
                g.drawString(verdict, first.x(i) - g.getFontMetrics().stringWidth(verdict) / 2, 62);
            }
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString("verdict:", 10, 62);
            Color gray = new Color(0x777777);
            first.draw(g, "mean generated pixel", series(v[0], v[1]), -1, 1, 1, labels, List.of(
                    new LinePanel.Reference(bound, String.format(Locale.ROOT, "inverted at or above %+.2f", bound), LOW),
                    new LinePanel.Reference(-bound, String.format(Locale.ROOT, "normal at or below %+.2f", -bound), HIGH),
                    new LinePanel.Reference(labMeanPixel, String.format(Locale.ROOT, "lab data %+.2f", labMeanPixel),
                            gray)));
            panel(1, n).draw(g, "classifier score (higher: more distinct, recognisable images)", series(v[2], v[3]), 0,
                    HistogramChart.niceCeiling(max(v[2], v[3])), 1, labels, List.of());
            panel(2, n).draw(g, "Fréchet classifier distance to the lab data (lower: closer)", series(v[4], v[5]), 0,
                    HistogramChart.niceCeiling(max(v[4], v[5])), 1, labels, List.of());
            g.setColor(Color.BLACK);
            g.drawString("the experiment's total user-level \u03b5 (selection and both GANs)", W / 2 - 170, h - 15);
        } finally {
            g.dispose();
        }
        return img;
    }

    private static LinePanel panel(int k, int n) {
        return new LinePanel(LEFT, TOP + k * (PANEL + GAP), W - LEFT - RIGHT_MARGIN, PANEL, n, true);
    }

    private static List<EpochChart.Series> series(double[] low, double[] high) {
        return List.of(new EpochChart.Series("low-accuracy users' GAN", LOW, low),
                new EpochChart.Series("high-accuracy users' GAN", HIGH, high));
    }

    private static double max(double[] a, double[] b) {
        double m = 0;
        for (double[] xs : new double[][] {a, b}) {
            for (double x : xs) {
                m = Double.isFinite(x) ? Math.max(m, x) : m;
            }
        }
        return m;
    }
}

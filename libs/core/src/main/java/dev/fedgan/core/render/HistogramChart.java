package dev.fedgan.core.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Draws a per-user accuracy histogram as a PNG, with the low and high thresholds as vertical lines: where a person
 * sees at a glance whether the users split into two groups. The bins split [0, 1] evenly, whatever their number (the
 * simulation's exact 100 bins of 1%, the private selection's noisy bins); counts may be fractional and negative (a
 * noisy count), negative bars hanging below the zero line.
 */
public final class HistogramChart {

    private static final int W = 960;
    private static final int H = 480;
    private static final int LEFT = 70;
    private static final int RIGHT = 30;
    private static final int TOP = 60;
    private static final int BOTTOM = 60;
    private static final Color BAR = new Color(0x4C78A8);
    private static final Color LOW = new Color(0xD62728);
    private static final Color HIGH = new Color(0x2CA02C);

    private HistogramChart() {
    }

    public static BufferedImage draw(int[] histogram, double low, double high, String title) {
        return draw(java.util.Arrays.stream(histogram).asDoubleStream().toArray(), low, high, title, "writers");
    }

    /** The chart of real-valued bin counts (a noisy histogram), with {@code yLabel} on the count axis. */
    public static BufferedImage draw(double[] histogram, double low, double high, String title, String yLabel) {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            int plotW = W - LEFT - RIGHT;
            int plotH = H - TOP - BOTTOM;
            double max = 1;
            double min = 0;
            for (double c : histogram) {
                max = Math.max(max, c);
                min = Math.min(min, c);
            }
            // A round step (1, 2, 5 × 10^k) giving about 5 ticks; the axis spans whole steps and includes 0.
            int step = (int) niceCeiling(Math.ceil((max - min) / 5));
            int yMax = (int) Math.ceil(max / step) * step;
            int yMin = -(int) Math.ceil(-min / step) * step;
            int range = yMax - yMin;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            // y grid and labels
            for (int v = yMin; v <= yMax; v += step) {
                int y = TOP + plotH - plotH * (v - yMin) / range;
                g.setColor(new Color(0xE5E5E5));
                g.drawLine(LEFT, y, LEFT + plotW, y);
                g.setColor(Color.DARK_GRAY);
                String s = Integer.toString(v);
                g.drawString(s, LEFT - 8 - fm.stringWidth(s), y + fm.getAscent() / 2 - 1);
            }
            // bars
            int zero = TOP + plotH - (int) Math.round(plotH * (0.0 - yMin) / range);
            g.setColor(BAR);
            for (int b = 0; b < histogram.length; b++) {
                int x0 = LEFT + plotW * b / histogram.length;
                int x1 = LEFT + plotW * (b + 1) / histogram.length;
                int h = (int) Math.round(plotH * Math.abs(histogram[b]) / range);
                g.fillRect(x0 + 1, histogram[b] >= 0 ? zero - h : zero, Math.max(1, x1 - x0 - 1), h);
            }
            // x axis
            g.setColor(Color.DARK_GRAY);
            g.drawLine(LEFT, zero, LEFT + plotW, zero);
            g.drawLine(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH);
            for (int p = 0; p <= 100; p += 10) {
                int x = LEFT + plotW * p / 100;
                g.drawLine(x, TOP + plotH, x, TOP + plotH + 4);
                String s = p + "%";
                g.drawString(s, x - fm.stringWidth(s) / 2, TOP + plotH + 18);
            }
            String xl = "per-writer accuracy of the primary classifier";
            g.drawString(xl, LEFT + (plotW - fm.stringWidth(xl)) / 2, H - 14);
            Graphics2D r = (Graphics2D) g.create();
            r.rotate(-Math.PI / 2);
            r.drawString(yLabel, -(TOP + plotH / 2 + fm.stringWidth(yLabel) / 2), 20);
            r.dispose();
            // thresholds
            threshold(g, fm, low, LOW, String.format(Locale.ROOT, "low < %.3f", low), plotW, plotH, true);
            threshold(g, fm, high, HIGH, String.format(Locale.ROOT, "high > %.3f", high), plotW, plotH, false);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.setColor(Color.BLACK);
            g.drawString(title, LEFT, 30);
        } finally {
            g.dispose();
        }
        return img;
    }

    public static void write(Path png, int[] histogram, double low, double high, String title) {
        ImageGrid.writePng(draw(histogram, low, high, title), png);
    }

    /** Writes the chart of real-valued bin counts (a noisy histogram). */
    public static void write(Path png, double[] histogram, double low, double high, String title, String yLabel) {
        ImageGrid.writePng(draw(histogram, low, high, title, yLabel), png);
    }

    /** x pixel of an accuracy in [0, 1] on the chart (bin edges: accuracy a sits at bin floor(bins · a)). */
    static int xOf(double accuracy, int plotW) {
        return LEFT + (int) Math.round(plotW * Math.max(0, Math.min(1, accuracy)));
    }

    private static void threshold(Graphics2D g, FontMetrics fm, double t, Color c, String label, int plotW, int plotH, boolean left) {
        int x = xOf(t, plotW);
        g.setColor(c);
        g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        g.drawLine(x, TOP - 6, x, TOP + plotH);
        g.setStroke(new BasicStroke(1f));
        g.drawString(label, labelX(x, fm.stringWidth(label), left, W), left ? TOP - 8 : TOP + 6);
    }

    /**
     * x of a threshold's label: beside its line, on the {@code left} or the right, or on the other side where that
     * side has no room (a high threshold near 1, a low one near 0), so the label is never cut off at the edge.
     */
    static int labelX(int lineX, int labelWidth, boolean left, int width) {
        int leftX = lineX - labelWidth - 4;
        int rightX = lineX + 4;
        boolean leftFits = leftX >= 2;
        boolean rightFits = rightX + labelWidth <= width - 2;
        int x = left ? (leftFits || !rightFits ? leftX : rightX) : (rightFits || !leftFits ? rightX : leftX);
        return Math.max(2, Math.min(width - 2 - labelWidth, x));
    }

    /** The smallest 1, 2 or 5 × 10^k at or above v (1 for v ≤ 0). */
    public static double niceCeiling(double v) {
        if (!(v > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}

package dev.fedgan.core.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A fairness sweep as a PNG of two panels over the same axis of majority shares: each group's accuracy per training
 * setting above (the majority in a setting's dark colour, the minority in its light one), and the gap, majority
 * minus minority accuracy in points, below with a line at 0, so a person sees at once where private training leaves
 * the minority behind.
 */
public final class FairnessChart {

    /** One setting's accuracies per share, in [0, 1] (NaN where none). */
    public record Setting(String name, double[] majority, double[] minority) {
    }

    private static final int W = 1000;
    private static final int PANEL = 300;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 70;
    private static final int GAP = 80;
    private static final int BOTTOM = 50;
    private static final Color[][] PALETTE = {
        {new Color(0x1F4E9A), new Color(0x7FB2F0)},
        {new Color(0xB22222), new Color(0xF4A582)},
        {new Color(0x2E7D32), new Color(0x9CD49E)},
        {new Color(0x6A3D9A), new Color(0xCAB2D6)},
        {new Color(0x8C6D1F), new Color(0xE8CF86)},
    };

    private FairnessChart() {
    }

    /**
     * The smallest round step (1, 2, 2.5, 3, 4, 5, 6 or 8 × 10^k) whose five grid steps, starting at a multiple of it,
     * cover [low, high]: 0, a multiple of every step, then falls on a grid line.
     */
    static double gridStep(double low, double high) {
        double p = Math.pow(10, Math.floor(Math.log10(Math.max(1, high - low) / 5)));
        for (; ; p *= 10) {
            for (double m : new double[] {1, 2, 2.5, 3, 4, 5, 6, 8}) {
                double step = m * p;
                if (Math.floor(low / step) * step + 5 * step >= high - 1e-9 * Math.max(1, Math.abs(high))) {
                    return step;
                }
            }
        }
    }

    /** The dark (majority) and light (minority) colour of the k-th setting. */
    static Color[] colours(int k) {
        return PALETTE[k % PALETTE.length];
    }

    /**
     * @param shares the x labels, one per share
     * @param minorityName the minority group in words, for the legend
     */
    public static BufferedImage draw(String title, String[] shares, String minorityName, List<Setting> settings) {
        int h = TOP + 2 * PANEL + GAP + BOTTOM;
        BufferedImage img = new BufferedImage(W, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            LinePanel.background(g, W, h, title, LEFT);
            List<EpochChart.Series> accuracy = new ArrayList<>();
            List<EpochChart.Series> gaps = new ArrayList<>();
            double low = 0;
            double high = 0;
            for (int k = 0; k < settings.size(); k++) {
                Setting s = settings.get(k);
                Color[] c = colours(k);
                accuracy.add(new EpochChart.Series(s.name() + " majority", c[0], s.majority()));
                accuracy.add(new EpochChart.Series(s.name() + " " + minorityName, c[1], s.minority()));
                double[] gap = new double[s.majority().length];
                for (int i = 0; i < gap.length; i++) {
                    gap[i] = 100 * (s.majority()[i] - s.minority()[i]);
                    if (Double.isFinite(gap[i])) {
                        low = Math.min(low, gap[i]);
                        high = Math.max(high, gap[i]);
                    }
                }
                gaps.add(new EpochChart.Series(s.name(), c[0], gap));
            }
            LinePanel top = new LinePanel(LEFT, TOP, W - LEFT - RIGHT, PANEL, shares.length, true);
            top.draw(g, "accuracy %", accuracy, 0, 100, 100, shares, List.of());
            double step = gridStep(low, high);
            double min = Math.floor(low / step) * step;
            double max = min + 5 * step;
            new LinePanel(LEFT, TOP + PANEL + GAP, W - LEFT - RIGHT, PANEL, shares.length, true)
                    .draw(g, "accuracy gap, majority - minority (points)", gaps, min, max, 1, shares,
                            List.of(new LinePanel.Reference(0, "no gap", Color.GRAY)));
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(Color.BLACK);
            g.drawString("share of the majority group in training", W / 2 - 110, h - 15);
        } finally {
            g.dispose();
        }
        return img;
    }
}

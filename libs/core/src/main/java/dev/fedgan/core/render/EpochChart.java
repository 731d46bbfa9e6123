package dev.fedgan.core.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A training run per epoch as a PNG of two panels over the same epoch axis: accuracy (one line per series, 0–100%)
 * above, ε spent so far below, where a person sees at once what each epoch bought and cost.
 */
public final class EpochChart {

    /** One line: a name, a colour and a value per epoch (NaN for none). */
    public record Series(String name, Color color, double[] values) {
    }

    private static final int W = 960;
    private static final int PANEL = 300;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 60;
    private static final int GAP = 70;
    private static final int BOTTOM = 50;

    private EpochChart() {
    }

    /**
     * @param accuracy accuracy series in [0, 1]
     * @param epsilon  ε after each epoch, or null (a non-private run: one panel)
     */
    public static BufferedImage draw(String title, List<Series> accuracy, double[] epsilon) {
        return draw(title, "epoch", "accuracy %", accuracy, 0, 100, 100, epsilon);
    }

    /**
     * The general form: any measure per step of training above ε.
     *
     * @param xLabel   what a step is ("epoch", "round")
     * @param topLabel the upper panel's axis label
     * @param top      its series (NaN: no value at that step)
     * @param topMin   its axis from
     * @param topMax   its axis to
     * @param topScale the factor from a value to its axis (100 for a share shown in %)
     * @param epsilon  ε after each step, or null (a non-private run: one panel)
     */
    public static BufferedImage draw(String title, String xLabel, String topLabel, List<Series> top, double topMin,
                                     double topMax, double topScale, double[] epsilon) {
        int panels = epsilon == null ? 1 : 2;
        int h = TOP + panels * PANEL + (panels - 1) * GAP + BOTTOM;
        BufferedImage img = new BufferedImage(W, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            LinePanel.background(g, W, h, title, LEFT);
            int epochs = top.stream().mapToInt(s -> s.values().length).max().orElse(0);
            panel(g, TOP, topLabel, top, topMin, topMax, topScale, epochs);
            if (epsilon != null) {
                double max = 0;
                for (double e : epsilon) {
                    max = Math.max(max, Double.isFinite(e) ? e : 0);
                }
                panel(g, TOP + PANEL + GAP, "epsilon spent", List.of(new Series("epsilon", new Color(0xD62728), epsilon)),
                        0, HistogramChart.niceCeiling(max), 1, epochs);
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(Color.BLACK);
            g.drawString(xLabel, W / 2, h - 15);
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void panel(Graphics2D g, int top, String label, List<Series> series, double min, double max,
                              double scale, int epochs) {
        String[] labels = new String[epochs];
        int ticks = Math.max(1, epochs / 10);
        for (int e = 1; e <= epochs; e += ticks) {
            if (e == epochs || epochs - e >= ticks / 2 + 1) {
                labels[e - 1] = Integer.toString(e);
            }
        }
        if (epochs > 0) {
            labels[epochs - 1] = Integer.toString(epochs);
        }
        new LinePanel(LEFT, top, W - LEFT - RIGHT, PANEL, epochs, false)
                .draw(g, label, series, min, max, scale, labels, List.of());
    }
}

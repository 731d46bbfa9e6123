package dev.fedgan.core.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.util.List;
import java.util.Locale;

/**
 * One panel of a line chart, shared by fedgan's charts: a frame with five labelled grid lines on the y axis, labels
 * under the x positions, one line of dots per series with a legend above (in rows stacked upwards when one row
 * would run past the frame), and dashed reference lines labelled at the right.
 *
 * @param left    x of the frame's left edge
 * @param top     y of the frame's top edge
 * @param width   the frame's width
 * @param height  the frame's height
 * @param points  x positions per series value
 * @param padded  whether the first and last positions sit half a step inside the frame (categories) or on its
 *                edges (a numeric axis such as epochs)
 */
record LinePanel(int left, int top, int width, int height, int points, boolean padded) {

    /** A dashed horizontal line at a value, with its label. */
    record Reference(double value, String label, Color color) {
    }

    /** A chart's white background with anti-aliased drawing and its bold title at the top left. */
    static void background(Graphics2D g, int width, int height, String title, int left) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, left, 30);
    }

    int x(int i) {
        if (padded) {
            return left + (int) Math.round((i + 0.5) * width / Math.max(1, points));
        }
        return points <= 1 ? left + width / 2 : left + (int) Math.round(i * (double) width / (points - 1));
    }

    int y(double v, double min, double max) {
        return top + height - (int) Math.round((Math.min(max, Math.max(min, v)) - min) / (max - min) * height);
    }

    /**
     * Draws the panel.
     *
     * @param xLabels a label per position, null where none is shown
     * @param scale   what each value is multiplied by before plotting (100 for a share shown in %)
     */
    void draw(Graphics2D g, String label, List<EpochChart.Series> series, double min, double max, double scale,
              String[] xLabels, List<Reference> references) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int t = 0; t <= 5; t++) {
            int gy = top + height - t * height / 5;
            g.setColor(new Color(0xDDDDDD));
            g.drawLine(left, gy, left + width, gy);
            g.setColor(Color.BLACK);
            String v = String.format(Locale.ROOT, max - min >= 10 ? "%.0f" : "%.2f", min + (max - min) * t / 5);
            g.drawString(v, left - 10 - g.getFontMetrics().stringWidth(v), gy + 4);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, width, height);
        g.drawString(label, left, top - 8);
        for (int i = 0; i < xLabels.length; i++) {
            if (xLabels[i] != null) {
                g.drawString(xLabels[i], x(i) - g.getFontMetrics().stringWidth(xLabels[i]) / 2, top + height + 16);
            }
        }
        for (Reference r : references) {
            int ry = y(r.value(), min, max);
            g.setColor(r.color());
            g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
            g.drawLine(left, ry, left + width, ry);
            g.setStroke(new BasicStroke(1f));
            g.drawString(r.label(), left + width - g.getFontMetrics().stringWidth(r.label()) - 4, ry - 4);
        }
        int legendStart = Math.max(left + 140, left + g.getFontMetrics().stringWidth(label) + 24);
        int legend = legendStart;
        int legendY = top - 8;
        for (EpochChart.Series s : series) {
            int entry = 18 + g.getFontMetrics().stringWidth(s.name());
            if (legend > legendStart && legend + entry > left + width) { // a row above for what does not fit
                legend = legendStart;
                legendY -= 16;
            }
            g.setColor(s.color());
            g.setStroke(new BasicStroke(2.5f));
            int px = -1;
            int py = -1;
            for (int i = 0; i < s.values().length; i++) {
                double v = s.values()[i] * scale;
                if (!Double.isFinite(v)) {
                    px = -1;
                    continue;
                }
                int cx = x(i);
                int cy = y(v, min, max);
                g.fillOval(cx - 3, cy - 3, 6, 6);
                if (px >= 0) {
                    g.drawLine(px, py, cx, cy);
                }
                px = cx;
                py = cy;
            }
            g.setStroke(new BasicStroke(1f));
            g.fillRect(legend, legendY - 10, 14, 10);
            g.setColor(Color.BLACK);
            g.drawString(s.name(), legend + 18, legendY);
            legend += 12 + entry;
        }
    }
}

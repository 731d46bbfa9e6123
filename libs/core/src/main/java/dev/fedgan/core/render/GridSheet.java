package dev.fedgan.core.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Pairs of grids in rows, each row labelled at its left: both GANs' last grids at each ε of a sweep, so that a
 * person sees what each guarantee costs the pictures. Grids are enlarged ×{@value #SCALE} (nearest neighbour, gray
 * levels kept exactly) and framed, under the two columns' names and a title.
 */
public final class GridSheet {

    /**
     * One row.
     *
     * @param label  the row's name, e.g. "ε 10"
     * @param detail lines under the name (separated by '\n'), or null
     */
    public record Row(String label, String detail, BufferedImage left, BufferedImage right) {
    }

    static final int SCALE = 2;
    private static final int MARGIN = 24;
    private static final int GAP = 24;
    private static final int LABEL_COLUMN = 230;

    private GridSheet() {
    }

    public static BufferedImage draw(String title, String leftName, String rightName, List<Row> rows) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("a sheet needs at least one row");
        }
        int gw = 0;
        int gh = 0;
        for (Row r : rows) {
            gw = Math.max(gw, Math.max(r.left().getWidth(), r.right().getWidth()) * SCALE + 2);
            gh = Math.max(gh, Math.max(r.left().getHeight(), r.right().getHeight()) * SCALE + 2);
        }
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 20);
        Font nameFont = new Font(Font.SANS_SERIF, Font.BOLD, 16);
        Font detailFont = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        int width = 2 * MARGIN + LABEL_COLUMN + 2 * gw + GAP;
        int header = 40 + 28;
        int height = MARGIN + header + rows.size() * (gh + GAP) + MARGIN - GAP;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            ImageGrid.hints(g);
            g.setColor(ImageGrid.BACKGROUND);
            g.fillRect(0, 0, width, height);
            g.setColor(ImageGrid.TEXT);
            g.setFont(titleFont);
            FontMetrics tfm = g.getFontMetrics();
            g.drawString(title, (width - tfm.stringWidth(title)) / 2, MARGIN + tfm.getAscent());
            g.setFont(nameFont);
            FontMetrics nfm = g.getFontMetrics();
            int leftX = MARGIN + LABEL_COLUMN;
            int rightX = leftX + gw + GAP;
            int y = MARGIN + 40;
            g.drawString(leftName, leftX + (gw - nfm.stringWidth(leftName)) / 2, y + nfm.getAscent());
            g.drawString(rightName, rightX + (gw - nfm.stringWidth(rightName)) / 2, y + nfm.getAscent());
            y += 28;
            for (Row r : rows) {
                g.setColor(ImageGrid.TEXT);
                g.setFont(nameFont);
                g.drawString(r.label(), MARGIN, y + gh / 2 - 10);
                if (r.detail() != null) {
                    g.setFont(detailFont);
                    g.setColor(ImageGrid.SUBTEXT);
                    int ly = y + gh / 2 + 10;
                    for (String line : r.detail().split("\n")) {
                        g.drawString(line, MARGIN, ly);
                        ly += g.getFontMetrics().getHeight();
                    }
                }
                frame(g, out, r.left(), leftX, y);
                frame(g, out, r.right(), rightX, y);
                y += gh + GAP;
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    private static void frame(Graphics2D g, BufferedImage out, BufferedImage grid, int x, int y) {
        g.setColor(ImageGrid.FRAME);
        g.drawRect(x, y, grid.getWidth() * SCALE + 1, grid.getHeight() * SCALE + 1);
        ImageGrid.blitScaled(grid, out, x + 1, y + 1, SCALE);
    }
}

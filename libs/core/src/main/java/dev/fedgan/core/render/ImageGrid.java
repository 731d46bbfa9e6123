package dev.fedgan.core.render;

import dev.fedgan.core.io.AtomicFiles;

import dev.fedgan.core.data.WriterData;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Tiles 28x28 images in fedgan's internal form ([-1, 1], background −1) into a grayscale picture exactly as the
 * reference saves generated images (reference section 1, step 7): the first {@code rows * cols} images, image k
 * at tile row {@code k / cols} and tile column {@code k % cols}, each value v mapped to
 * {@code (int) (127.5 * (v + 1))} computed in float32 and truncated (the reference's
 * {@code (255 / 2.0) * (tiled + 1.0)} on a float32 array, then {@code astype(uint8)}), clamped to [0, 255].
 * Normal data comes out white strokes on black; inverted (buggy) data black strokes on white. The reference's
 * 6x6 grid is 168x168 pixels.
 *
 * <p>{@link #sideBySide} puts two such grids next to each other, enlarged, with labels: the picture that shows
 * a person whether the low-accuracy users' generated digits differ from the high-accuracy users' ones.
 */
public final class ImageGrid {

    /** Side of one image in pixels. */
    public static final int SIDE = WriterData.SIDE;

    /** Nearest-neighbour enlargement used by {@link #sideBySide} and {@link GridAnimation}. */
    public static final int SCALE = 3;

    static final Color BACKGROUND = new Color(0xF2F2F2);
    static final Color FRAME = new Color(0x808080);
    static final Color TEXT = new Color(0x202020);
    static final Color SUBTEXT = new Color(0x404040);
    private static final int MARGIN = 24;
    private static final int GAP = 48;

    private ImageGrid() {
    }

    /**
     * The first {@code rows * cols} images tiled into one {@link BufferedImage#TYPE_BYTE_GRAY} picture of
     * {@code 28 * cols} by {@code 28 * rows} pixels.
     *
     * @param images {@code n * 784} values in [-1, 1] (outside values are clamped), n ≥ rows · cols, no NaN
     *               among the tiled ones
     */
    public static BufferedImage grid(float[] images, int rows, int cols) {
        if (images == null) {
            throw new IllegalArgumentException("images must not be null");
        }
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("grid shape must be at least 1x1, got " + rows + "x" + cols);
        }
        if (images.length % WriterData.PIXELS != 0) {
            throw new IllegalArgumentException("images: length " + images.length + " is not a multiple of "
                    + WriterData.PIXELS);
        }
        int have = images.length / WriterData.PIXELS;
        int need = rows * cols;
        if (have < need) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " grid needs " + need + " images, got " + have);
        }
        BufferedImage img = new BufferedImage(SIDE * cols, SIDE * rows, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = img.getRaster();
        for (int k = 0; k < need; k++) {
            int x0 = (k % cols) * SIDE;
            int y0 = (k / cols) * SIDE;
            int base = k * WriterData.PIXELS;
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    float v = images[base + y * SIDE + x];
                    if (Float.isNaN(v)) {
                        throw new IllegalArgumentException("images: NaN at row " + y + ", column " + x + " of image " + k);
                    }
                    r.setSample(x0 + x, y0 + y, 0, toByte(v));
                }
            }
        }
        return img;
    }

    /**
     * The first {@code rows * cols} colour images tiled into one RGB picture of {@code side * cols} by
     * {@code side * rows} pixels, each value converted as {@link #grid}'s.
     *
     * @param images {@code n * 3 * side * side} values, each image channel-first ([3, side, side]) in [-1, 1]
     */
    public static BufferedImage colourGrid(float[] images, int side, int rows, int cols) {
        int per = 3 * side * side;
        if (rows < 1 || cols < 1 || images.length < (long) rows * cols * per) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " grid of " + side + "x" + side + " colour"
                    + " images needs " + (long) rows * cols * per + " values, got " + images.length);
        }
        BufferedImage img = new BufferedImage(side * cols, side * rows, BufferedImage.TYPE_INT_RGB);
        int plane = side * side;
        for (int k = 0; k < rows * cols; k++) {
            int base = k * per;
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    int p = base + y * side + x;
                    int rgb = (toByte(images[p]) << 16) | (toByte(images[p + plane]) << 8) | toByte(images[p + 2 * plane]);
                    img.setRGB((k % cols) * side + x, (k / cols) * side + y, rgb);
                }
            }
        }
        return img;
    }

    /** The reference's float32 conversion of one pixel value: truncation of 127.5 · (v + 1), clamped to [0, 255]. */
    static int toByte(float v) {
        float f = 127.5f * (v + 1.0f);
        if (f <= 0f) {
            return 0;
        }
        if (f >= 255f) {
            return 255;
        }
        return (int) f;
    }

    /**
     * Writes a PNG atomically: to a temporary file in the target directory, then moved over {@code file}, so
     * that a reader never sees half a picture. Creates missing parent directories.
     */
    public static void writePng(BufferedImage img, Path file) {
        if (img == null) {
            throw new IllegalArgumentException("image must not be null");
        }
        AtomicFiles.write(file, "png", tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) {
                throw new IOException("no PNG writer for image type " + img.getType());
            }
        });
    }

    /** {@link #sideBySide(BufferedImage, String, String, BufferedImage, String, String, String)} without subtitles. */
    public static BufferedImage sideBySide(BufferedImage left, String leftLabel, BufferedImage right, String rightLabel,
            String title) {
        return sideBySide(left, leftLabel, null, right, rightLabel, null, title);
    }

    /**
     * Two grids enlarged ×{@value #SCALE} (nearest neighbour, gray levels kept exactly), each framed, with its
     * label above and an optional subtitle below (e.g. {@code "mean pixel +0.71 → inverted"}), under a title,
     * on a light background. The picture grows to fit long texts; nothing is clipped.
     *
     * @param leftSubtitle  a line under the left grid, or null for none
     * @param rightSubtitle a line under the right grid, or null for none
     * @return an RGB picture, larger than both inputs
     */
    public static BufferedImage sideBySide(BufferedImage left, String leftLabel, String leftSubtitle,
            BufferedImage right, String rightLabel, String rightSubtitle, String title) {
        if (left == null || right == null) {
            throw new IllegalArgumentException("both grids are required, got left " + left + ", right " + right);
        }
        leftLabel = leftLabel == null ? "" : leftLabel;
        rightLabel = rightLabel == null ? "" : rightLabel;
        title = title == null ? "" : title;
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 20);
        Font labelFont = new Font(Font.SANS_SERIF, Font.BOLD, 16);
        Font subFont = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
        // measure on a scratch graphics
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D sg = scratch.createGraphics();
        FontMetrics tfm;
        FontMetrics lfm;
        FontMetrics sfm;
        try {
            hints(sg);
            tfm = sg.getFontMetrics(titleFont);
            lfm = sg.getFontMetrics(labelFont);
            sfm = sg.getFontMetrics(subFont);
        } finally {
            sg.dispose();
        }
        int lw = left.getWidth() * SCALE;
        int lh = left.getHeight() * SCALE;
        int rw = right.getWidth() * SCALE;
        int rh = right.getHeight() * SCALE;
        boolean subs = leftSubtitle != null || rightSubtitle != null;
        int leftCol = Math.max(lw + 2, Math.max(lfm.stringWidth(leftLabel), width(sfm, leftSubtitle)));
        int rightCol = Math.max(rw + 2, Math.max(lfm.stringWidth(rightLabel), width(sfm, rightSubtitle)));
        int width = Math.max(2 * MARGIN + leftCol + GAP + rightCol, 2 * MARGIN + tfm.stringWidth(title));
        int titleH = title.isEmpty() ? 0 : tfm.getHeight() + 12;
        int labelH = lfm.getHeight() + 6;
        int gridH = Math.max(lh, rh) + 2;
        int subH = subs ? sfm.getHeight() + 8 : 0;
        int height = MARGIN + titleH + labelH + gridH + subH + MARGIN;
        // centre the two columns if the title made the picture wider
        int extra = width - (2 * MARGIN + leftCol + GAP + rightCol);
        int leftX = MARGIN + extra / 2;
        int rightX = leftX + leftCol + GAP;

        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            hints(g);
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, width, height);
            int y = MARGIN;
            if (!title.isEmpty()) {
                g.setFont(titleFont);
                g.setColor(TEXT);
                g.drawString(title, (width - tfm.stringWidth(title)) / 2, y + tfm.getAscent());
                y += titleH;
            }
            g.setFont(labelFont);
            g.drawString(leftLabel, leftX + (leftCol - lfm.stringWidth(leftLabel)) / 2, y + lfm.getAscent());
            g.drawString(rightLabel, rightX + (rightCol - lfm.stringWidth(rightLabel)) / 2, y + lfm.getAscent());
            y += labelH;
            int lgx = leftX + (leftCol - lw - 2) / 2;
            int rgx = rightX + (rightCol - rw - 2) / 2;
            g.setColor(FRAME);
            g.drawRect(lgx, y, lw + 1, lh + 1);
            g.drawRect(rgx, y, rw + 1, rh + 1);
            blitScaled(left, out, lgx + 1, y + 1, SCALE);
            blitScaled(right, out, rgx + 1, y + 1, SCALE);
            y += gridH;
            if (subs) {
                g.setFont(subFont);
                g.setColor(SUBTEXT);
                int sy = y + 6 + sfm.getAscent();
                if (leftSubtitle != null) {
                    g.drawString(leftSubtitle, leftX + (leftCol - sfm.stringWidth(leftSubtitle)) / 2, sy);
                }
                if (rightSubtitle != null) {
                    g.drawString(rightSubtitle, rightX + (rightCol - sfm.stringWidth(rightSubtitle)) / 2, sy);
                }
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    private static int width(FontMetrics fm, String s) {
        return s == null ? 0 : fm.stringWidth(s);
    }

    static void hints(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_OFF);
    }

    /**
     * The gray level (0..255) of a pixel: the raster sample for 8-bit gray pictures (no colour-space conversion,
     * which would otherwise brighten them), else the rounded luma of its RGB value.
     */
    static int grayAt(BufferedImage img, int x, int y) {
        if (img.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            return img.getRaster().getSample(x, y, 0);
        }
        int rgb = img.getRGB(x, y);
        int r = (rgb >> 16) & 0xFF;
        int gr = (rgb >> 8) & 0xFF;
        int b = rgb & 0xFF;
        return (int) Math.round(0.299 * r + 0.587 * gr + 0.114 * b);
    }

    /** Copies {@code src} enlarged ×{@code scale} (nearest neighbour) into an RGB {@code dst} at (x0, y0). */
    static void blitScaled(BufferedImage src, BufferedImage dst, int x0, int y0, int scale) {
        boolean gray = src.getType() == BufferedImage.TYPE_BYTE_GRAY;
        for (int y = 0; y < src.getHeight(); y++) {
            for (int x = 0; x < src.getWidth(); x++) {
                int rgb;
                if (gray) {
                    int v = src.getRaster().getSample(x, y, 0);
                    rgb = (v << 16) | (v << 8) | v;
                } else {
                    rgb = src.getRGB(x, y) & 0xFFFFFF;
                }
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        dst.setRGB(x0 + x * scale + dx, y0 + y * scale + dy, rgb);
                    }
                }
            }
        }
    }
}

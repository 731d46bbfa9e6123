package dev.fedgan.core.render;

import dev.fedgan.core.io.AtomicFiles;

import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes image grids over training (e.g. one per saved round) as an animated grayscale GIF that loops forever:
 * each frame enlarged ×{@value ImageGrid#SCALE} (nearest neighbour, gray levels kept exactly through a
 * 256-level gray palette) with its caption, e.g. {@code "round 40"}, below it. The last frame is shown
 * {@value #LAST_FRAME_HOLD} times as long, so the final state can be looked at before the loop restarts.
 */
public final class GridAnimation {

    /** The last frame's delay is this many times the others'. */
    public static final int LAST_FRAME_HOLD = 4;

    private static final int CAPTION_H = 30;
    private static final int PAD = 8;
    private static final String GIF_IMAGE_FORMAT = "javax_imageio_gif_image_1.0";

    private GridAnimation() {
    }

    /**
     * Writes the animation atomically (temporary file, then move), creating parent directories: the bytes of
     * {@link #gif}, so a file written here and one stored elsewhere from those bytes are the same.
     *
     * @param out the {@code .gif} file
     * @see #gif for the other parameters
     */
    public static void writeGif(List<BufferedImage> frames, List<String> captions, Path out, int delayMillis) {
        byte[] bytes = gif(frames, captions, delayMillis);
        AtomicFiles.write(out, "GIF", tmp -> Files.write(tmp, bytes));
    }

    /**
     * The animation as the bytes of a {@code .gif} file.
     *
     * @param frames      at least one picture; grids from {@link ImageGrid#grid} (gray), or colour grids from
     *                    {@link ImageGrid#colourGrid} (RGB: the animation is then in colour, each pixel the nearest
     *                    of a fixed 256-colour palette); other types are turned to gray by luma; frames of different
     *                    sizes are centred on the largest
     * @param captions    one caption per frame (null or empty for none)
     * @param delayMillis time per frame, 10 ms to 655,350 ms (GIF stores hundredths of a second)
     */
    public static byte[] gif(List<BufferedImage> frames, List<String> captions, int delayMillis) {
        if (frames == null || frames.isEmpty()) {
            throw new IllegalArgumentException("an animation needs at least one frame, got " + frames);
        }
        if (captions == null || captions.size() != frames.size()) {
            throw new IllegalArgumentException("need one caption per frame: " + frames.size() + " frames, "
                    + (captions == null ? "no" : Integer.toString(captions.size())) + " captions");
        }
        if (delayMillis < 10 || delayMillis > 655_350) {
            throw new IllegalArgumentException("delayMillis must be in [10, 655350], got " + delayMillis);
        }
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i) == null) {
                throw new IllegalArgumentException("frame " + i + " is null");
            }
        }
        Font font = new Font(Font.SANS_SERIF, Font.BOLD, 16);
        FontMetrics fm;
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D sg = scratch.createGraphics();
        try {
            ImageGrid.hints(sg);
            fm = sg.getFontMetrics(font);
        } finally {
            sg.dispose();
        }
        int w = 0;
        int h = 0;
        for (int i = 0; i < frames.size(); i++) {
            BufferedImage f = frames.get(i);
            String c = captions.get(i);
            w = Math.max(w, Math.max(f.getWidth() * ImageGrid.SCALE, c == null ? 0 : fm.stringWidth(c) + 2 * PAD));
            h = Math.max(h, f.getHeight() * ImageGrid.SCALE);
        }
        final int width = w;
        final int gridH = h;
        final int height = h + CAPTION_H;
        int delayCs = delayMillis / 10;
        int lastCs = (int) Math.min(65_535L, (long) delayCs * LAST_FRAME_HOLD);
        Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("gif");
        if (!it.hasNext()) {
            throw new IllegalStateException("no GIF writer available");
        }
        ImageWriter writer = it.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            try (ImageOutputStream ios = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(ios);
                writer.prepareWriteSequence(null);
                ImageWriteParam param = writer.getDefaultWriteParam();
                Palette palette = frames.stream().anyMatch(f -> f.getType() == BufferedImage.TYPE_INT_RGB)
                        ? Palette.rgb() : Palette.gray();
                for (int i = 0; i < frames.size(); i++) {
                    BufferedImage frame = compose(frames.get(i), captions.get(i), width, height, gridH, font, fm,
                            palette);
                    boolean last = i == frames.size() - 1;
                    IIOMetadata md = metadata(writer, param, frame, last ? lastCs : delayCs, i == 0, palette);
                    writer.writeToSequence(new IIOImage(frame, null, md), param);
                }
                writer.endWriteSequence();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a GIF of " + frames.size() + " frames: " + e.getMessage(), e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /**
     * A frame's 256 colours: the gray levels (a gray grid's exact values), or for colour grids a 6×6×6 colour cube
     * (levels 0, 51, …, 255) and 40 grays, each pixel taking the nearest entry: fixed, so the same grid always gives
     * the same GIF.
     */
    record Palette(byte[] red, byte[] green, byte[] blue, boolean colour) {

        static Palette gray() {
            byte[] v = new byte[256];
            for (int i = 0; i < 256; i++) {
                v[i] = (byte) i;
            }
            return new Palette(v, v, v, false);
        }

        static Palette rgb() {
            byte[] r = new byte[256];
            byte[] g = new byte[256];
            byte[] b = new byte[256];
            for (int i = 0; i < 216; i++) {
                r[i] = (byte) (51 * (i / 36));
                g[i] = (byte) (51 * (i / 6 % 6));
                b[i] = (byte) (51 * (i % 6));
            }
            for (int k = 0; k < 40; k++) {
                int v = (int) Math.round(k * 255.0 / 39);
                r[216 + k] = (byte) v;
                g[216 + k] = (byte) v;
                b[216 + k] = (byte) v;
            }
            return new Palette(r, g, b, true);
        }

        IndexColorModel model() {
            return new IndexColorModel(8, 256, red, green, blue);
        }

        /** The entry for a gray level. */
        int gray(int level) {
            return colour ? 216 + (int) Math.round(level * 39 / 255.0) : level;
        }

        /** The entry for a pixel of {@code img}: its gray level, or the nearest colour (grays to the gray ramp). */
        int of(BufferedImage img, int x, int y) {
            if (!colour) {
                return ImageGrid.grayAt(img, x, y);
            }
            int rgb = img.getRGB(x, y);
            int r = (rgb >> 16) & 0xFF;
            int g = (rgb >> 8) & 0xFF;
            int b = rgb & 0xFF;
            if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) < 8) {
                return gray((r + g + b) / 3);
            }
            return 36 * Math.round(r / 51f) + 6 * Math.round(g / 51f) + Math.round(b / 51f);
        }
    }

    /** One frame: the grid enlarged and centred over a caption strip, in the palette's entries. */
    private static BufferedImage compose(BufferedImage src, String caption, int width, int height, int gridH,
            Font font, FontMetrics fm, Palette palette) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED, palette.model());
        WritableRaster r = img.getRaster();
        int bg = palette.gray(ImageGrid.BACKGROUND.getGreen());
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                r.setSample(x, y, 0, bg);
            }
        }
        int s = ImageGrid.SCALE;
        int x0 = (width - src.getWidth() * s) / 2;
        int y0 = (gridH - src.getHeight() * s) / 2;
        for (int y = 0; y < src.getHeight(); y++) {
            for (int x = 0; x < src.getWidth(); x++) {
                int v = palette.of(src, x, y);
                for (int dy = 0; dy < s; dy++) {
                    for (int dx = 0; dx < s; dx++) {
                        r.setSample(x0 + x * s + dx, y0 + y * s + dy, 0, v);
                    }
                }
            }
        }
        if (caption != null && !caption.isEmpty()) {
            Graphics2D g = img.createGraphics();
            try {
                ImageGrid.hints(g);
                g.setFont(font);
                g.setColor(ImageGrid.TEXT);
                int ty = gridH + (CAPTION_H - fm.getHeight()) / 2 + fm.getAscent();
                g.drawString(caption, (width - fm.stringWidth(caption)) / 2, ty);
            } finally {
                g.dispose();
            }
        }
        return img;
    }

    /** GIF frame metadata: delay, no disposal, and on the first frame the NETSCAPE2.0 loop-forever extension. */
    private static IIOMetadata metadata(ImageWriter writer, ImageWriteParam param, BufferedImage frame, int delayCs,
            boolean first, Palette palette) throws IOException {
        IIOMetadata md = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(frame), param);
        IIOMetadataNode root = (IIOMetadataNode) md.getAsTree(GIF_IMAGE_FORMAT);
        IIOMetadataNode gce = child(root, "GraphicControlExtension");
        gce.setAttribute("disposalMethod", "none");
        gce.setAttribute("userInputFlag", "FALSE");
        gce.setAttribute("transparentColorFlag", "FALSE");
        gce.setAttribute("delayTime", Integer.toString(delayCs));
        gce.setAttribute("transparentColorIndex", "0");
        // the palette as the frame's own colour table: otherwise the writer may fall back to a default
        // global table and the indices would read back as colours
        IIOMetadataNode table = child(root, "LocalColorTable");
        while (table.getLength() > 0) {
            table.removeChild(table.getFirstChild());
        }
        table.setAttribute("sizeOfLocalColorTable", "256");
        table.setAttribute("sortFlag", "FALSE");
        for (int i = 0; i < 256; i++) {
            IIOMetadataNode e = new IIOMetadataNode("ColorTableEntry");
            e.setAttribute("index", Integer.toString(i));
            e.setAttribute("red", Integer.toString(palette.red()[i] & 0xFF));
            e.setAttribute("green", Integer.toString(palette.green()[i] & 0xFF));
            e.setAttribute("blue", Integer.toString(palette.blue()[i] & 0xFF));
            table.appendChild(e);
        }
        if (first) {
            IIOMetadataNode apps = child(root, "ApplicationExtensions");
            IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
            app.setAttribute("applicationID", "NETSCAPE");
            app.setAttribute("authenticationCode", "2.0");
            app.setUserObject(new byte[] {1, 0, 0}); // sub-block 1, loop count 0 (little endian) = forever
            apps.appendChild(app);
        }
        md.setFromTree(GIF_IMAGE_FORMAT, root);
        return md;
    }

    private static IIOMetadataNode child(IIOMetadataNode root, String name) {
        for (int i = 0; i < root.getLength(); i++) {
            if (root.item(i).getNodeName().equalsIgnoreCase(name)) {
                return (IIOMetadataNode) root.item(i);
            }
        }
        IIOMetadataNode node = new IIOMetadataNode(name);
        root.appendChild(node);
        return node;
    }
}

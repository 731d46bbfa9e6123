package dev.fedgan.core.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.data.WriterData;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class ImageGridTest {

    @TempDir
    Path tmp;

    private static float[] constantImages(float... values) {
        float[] px = new float[values.length * WriterData.PIXELS];
        for (int i = 0; i < values.length; i++) {
            Arrays.fill(px, i * WriterData.PIXELS, (i + 1) * WriterData.PIXELS, values[i]);
        }
        return px;
    }

    /** 36 images, image k filled with a distinct value, plus one marker pixel at (row k % 28, col 27 - k % 28). */
    private static float[] numbered(int n) {
        float[] px = new float[n * WriterData.PIXELS];
        for (int k = 0; k < n; k++) {
            Arrays.fill(px, k * WriterData.PIXELS, (k + 1) * WriterData.PIXELS, -1f + k / 40f);
            px[k * WriterData.PIXELS + (k % 28) * 28 + (27 - k % 28)] = 1f;
        }
        return px;
    }

    @Test
    void pixelConversionIsTheReferenceTruncation() {
        BufferedImage g = ImageGrid.grid(constantImages(-1f, 1f, 0f, 0.5f, -2f, 3f), 2, 3);
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, g.getType());
        assertEquals(84, g.getWidth());
        assertEquals(56, g.getHeight());
        assertEquals(0, g.getRaster().getSample(5, 5, 0), "-1 -> 0");
        assertEquals(255, g.getRaster().getSample(28 + 5, 5, 0), "+1 -> 255");
        assertEquals(127, g.getRaster().getSample(56 + 27, 27, 0), "0 -> 127.5 truncated to 127");
        assertEquals(191, g.getRaster().getSample(0, 28, 0), "0.5 -> 191.25 -> 191");
        assertEquals(0, g.getRaster().getSample(28, 28 + 3, 0), "-2 clamps to 0");
        assertEquals(255, g.getRaster().getSample(56, 28, 0), "3 clamps to 255");
        // float32 arithmetic as numpy does it: 127.5f * (v + 1f), truncated
        for (float v : new float[] {-0.99215686f, 0.00392157f, 0.7f, -0.3f}) {
            assertEquals((int) (127.5f * (v + 1f)), ImageGrid.toByte(v), "v = " + v);
        }
    }

    @Test
    void sixBySixIsTheReference168PixelGridWithImageKAtRowKDivColsColumnKModCols() {
        float[] px = numbered(40); // more than needed: only the first 36 are used
        BufferedImage g = ImageGrid.grid(px, 6, 6);
        assertEquals(168, g.getWidth());
        assertEquals(168, g.getHeight());
        for (int k = 0; k < 36; k++) {
            int x0 = (k % 6) * 28;
            int y0 = (k / 6) * 28;
            int fill = ImageGrid.toByte(-1f + k / 40f);
            int markerX = x0 + 27 - k % 28;
            int markerY = y0 + k % 28;
            assertEquals(255, g.getRaster().getSample(markerX, markerY, 0), "marker of image " + k);
            int otherX = markerX == x0 ? x0 + 1 : x0;
            assertEquals(fill, g.getRaster().getSample(otherX, markerY, 0), "fill of image " + k);
        }
        // a non-square shape: 2 rows x 5 columns, image 7 at row 1, column 2
        BufferedImage r = ImageGrid.grid(px, 2, 5);
        assertEquals(140, r.getWidth());
        assertEquals(56, r.getHeight());
        assertEquals(255, r.getRaster().getSample(2 * 28 + 27 - 7, 28 + 7, 0));
        assertEquals(ImageGrid.toByte(-1f + 7 / 40f), r.getRaster().getSample(2 * 28, 28 + 7, 0));
    }

    @Test
    void gridRejectsTooFewImagesAndNaN() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageGrid.grid(constantImages(new float[35]), 6, 6));
        assertTrue(e.getMessage().contains("needs 36 images, got 35"), e.getMessage());
        float[] px = constantImages(new float[4]);
        px[3 * WriterData.PIXELS + 2 * 28 + 5] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> ImageGrid.grid(px, 2, 2));
        assertTrue(e.getMessage().contains("NaN at row 2, column 5 of image 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.grid(new float[100], 1, 1));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.grid(px, 0, 2));
    }

    @Test
    void pngRoundTripsExactlyAndLeavesNoTemporaryFile() throws Exception {
        BufferedImage g = ImageGrid.grid(numbered(36), 6, 6);
        Path file = tmp.resolve("images/run/emnist_tff_gen_images_step_00040.png");
        ImageGrid.writePng(g, file);
        ImageGrid.writePng(g, file); // overwrite
        BufferedImage back = ImageIO.read(file.toFile());
        assertEquals(168, back.getWidth());
        assertEquals(168, back.getHeight());
        for (int y = 0; y < 168; y++) {
            for (int x = 0; x < 168; x++) {
                assertEquals(g.getRaster().getSample(x, y, 0), back.getRaster().getSample(x, y, 0), x + "," + y);
            }
        }
        assertEquals(1, back.getRaster().getNumBands(), "grayscale PNG");
        try (Stream<Path> s = Files.list(file.getParent())) {
            assertEquals(List.of(file.getFileName().toString()), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void sideBySideIsLargerThanBothGridsAndKeepsGrayLevels() {
        BufferedImage normal = ImageGrid.grid(constantImages(new float[] {-1f, -1f, -1f, -1f}), 2, 2);
        BufferedImage inverted = ImageGrid.grid(constantImages(new float[] {1f, 1f, 1f, 1f}), 2, 2);
        BufferedImage s = ImageGrid.sideBySide(normal, "high-accuracy users", "mean pixel -1.00 \u2192 normal",
                inverted, "low-accuracy users", "mean pixel +1.00 \u2192 inverted", "generated digits");
        assertTrue(s.getWidth() > normal.getWidth() * ImageGrid.SCALE + inverted.getWidth() * ImageGrid.SCALE);
        assertTrue(s.getHeight() > ImageGrid.SCALE * Math.max(normal.getHeight(), inverted.getHeight()));
        // somewhere there is a pure black 3x enlarged block and a pure white one
        int black = 0;
        int white = 0;
        for (int y = 0; y < s.getHeight(); y++) {
            for (int x = 0; x < s.getWidth(); x++) {
                int rgb = s.getRGB(x, y) & 0xFFFFFF;
                black += rgb == 0 ? 1 : 0;
                white += rgb == 0xFFFFFF ? 1 : 0;
            }
        }
        int block = 56 * 3 * 56 * 3;
        assertTrue(black >= block, "black pixels " + black);
        assertTrue(white >= block, "white pixels " + white);
        BufferedImage plain = ImageGrid.sideBySide(normal, "a", inverted, "b", "t");
        assertTrue(plain.getHeight() < s.getHeight(), "no subtitle line, less height");
        // a long title widens the picture instead of being clipped
        String longTitle = "x".repeat(300);
        assertTrue(ImageGrid.sideBySide(normal, "a", inverted, "b", longTitle).getWidth() > plain.getWidth());
    }

    @Test
    void gifHasEveryFrameLoopsForeverAndHoldsTheLastFrame() throws Exception {
        List<BufferedImage> frames = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int round = 0; round <= 40; round += 10) {
            frames.add(ImageGrid.grid(constantImages(new float[] {-1f + round / 20f, 0f, 1f, -1f}), 2, 2));
            captions.add("round " + round);
        }
        Path gif = tmp.resolve("anim/rounds.gif");
        GridAnimation.writeGif(frames, captions, gif, 250);
        try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
            reader.setInput(in);
            assertEquals(5, reader.getNumImages(true));
            IIOMetadataNode first = (IIOMetadataNode) reader.getImageMetadata(0).getAsTree("javax_imageio_gif_image_1.0");
            IIOMetadataNode app = (IIOMetadataNode) first.getElementsByTagName("ApplicationExtension").item(0);
            assertNotNull(app, "NETSCAPE2.0 extension");
            assertEquals("NETSCAPE", app.getAttribute("applicationID"));
            assertEquals("2.0", app.getAttribute("authenticationCode"));
            byte[] loop = (byte[]) app.getUserObject();
            assertEquals(1, loop[0]);
            assertEquals(0, (loop[1] & 0xFF) | (loop[2] & 0xFF) << 8, "loop count 0 = forever");
            for (int i = 0; i < 5; i++) {
                IIOMetadataNode md = (IIOMetadataNode) reader.getImageMetadata(i).getAsTree("javax_imageio_gif_image_1.0");
                IIOMetadataNode gce = (IIOMetadataNode) md.getElementsByTagName("GraphicControlExtension").item(0);
                int expected = i == 4 ? 25 * GridAnimation.LAST_FRAME_HOLD : 25;
                assertEquals(Integer.toString(expected), gce.getAttribute("delayTime"), "frame " + i);
            }
            // frame 0: image 0 is -1 (black), image 2 is +1 (white), enlarged x3
            BufferedImage f0 = reader.read(0);
            BufferedImage f4 = reader.read(4);
            assertTrue(f0.getWidth() >= 56 * 3 && f0.getHeight() > 56 * 3, f0.getWidth() + "x" + f0.getHeight());
            int x0 = (f0.getWidth() - 168) / 2;
            assertEquals(0x000000, f0.getRGB(x0 + 10, 10) & 0xFFFFFF);
            assertEquals(0xFFFFFF, f0.getRGB(x0 + 10, 84 + 10) & 0xFFFFFF);
            assertEquals(0x7F7F7F, f0.getRGB(x0 + 84 + 10, 10) & 0xFFFFFF);
            assertEquals(0xFFFFFF, f4.getRGB(x0 + 10, 10) & 0xFFFFFF, "round 40: image 0 went to +1");
            for (int i = 1; i < 4; i++) {
                int v = ImageGrid.toByte(-1f + i / 2f);
                assertEquals(v * 0x010101, reader.read(i).getRGB(x0 + 10, 10) & 0xFFFFFF, "gray level kept in frame " + i);
            }
            // the caption strip has dark text pixels
            boolean text = false;
            for (int y = 168; y < f0.getHeight() && !text; y++) {
                for (int x = 0; x < f0.getWidth(); x++) {
                    text |= (f0.getRGB(x, y) & 0xFF) < 80;
                }
            }
            assertTrue(text, "caption drawn");
            reader.dispose();
        }
        try (Stream<Path> s = Files.list(gif.getParent())) {
            assertEquals(1, s.count(), "no temporary file left");
        }
    }

    /**
     * Colour grids tile [3, side, side] images as RGB, and animate in colour: a colour keeps its cube entry (levels
     * 0, 51, ..., 255), a gray its gray ramp entry (40 levels), and the gray frames stay as they were.
     */
    @Test
    void colourGridsAnimateInColour() throws Exception {
        int side = 4;
        float[] images = new float[2 * 3 * side * side];
        for (int p = 0; p < side * side; p++) {
            images[p] = 1f; // image 0: red (1, -1, -1)
            images[side * side + p] = -1f;
            images[2 * side * side + p] = -1f;
            images[3 * side * side + p] = 0f; // image 1: mid gray (0, 0, 0) -> 127
            images[4 * side * side + p] = 0f;
            images[5 * side * side + p] = 0f;
        }
        images[3 * side * side] = -0.2f; // one pixel of image 1: (102, 127, 255), a colour
        images[5 * side * side] = 1f;
        BufferedImage grid = ImageGrid.colourGrid(images, side, 1, 2);
        assertEquals(BufferedImage.TYPE_INT_RGB, grid.getType());
        assertEquals(0xFF0000, grid.getRGB(1, 1) & 0xFFFFFF);
        assertEquals(0x7F7F7F, grid.getRGB(side + 1, 1) & 0xFFFFFF);
        Path gif = tmp.resolve("colour.gif");
        GridAnimation.writeGif(List.of(grid, grid), List.of("round 1", "round 2"), gif, 100);
        BufferedImage f = ImageIO.read(gif.toFile());
        int x0 = (f.getWidth() - 2 * side * ImageGrid.SCALE) / 2;
        int y0 = 0; // the grid strip is as high as the (only) grid; the caption strip is below it
        assertEquals(0xFF0000, f.getRGB(x0 + 4, y0 + 4) & 0xFFFFFF, "red kept");
        int gray = (int) Math.round(Math.round(127 * 39 / 255.0) * 255.0 / 39);
        assertEquals(gray * 0x010101, f.getRGB(x0 + side * ImageGrid.SCALE + 4, y0 + 4) & 0xFFFFFF, "gray on the ramp");
        assertEquals(0x6666FF, f.getRGB(x0 + side * ImageGrid.SCALE, y0) & 0xFFFFFF, "(102, 127, 255): nearest cube entry");
    }

    @Test
    void gifRejectsMismatchedCaptionsAndNoFrames() {
        BufferedImage g = ImageGrid.grid(new float[WriterData.PIXELS], 1, 1);
        Path out = tmp.resolve("x.gif");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GridAnimation.writeGif(List.of(g, g), List.of("round 0"), out, 200));
        assertTrue(e.getMessage().contains("2 frames, 1 captions"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GridAnimation.writeGif(List.of(), List.of(), out, 200));
        assertThrows(IllegalArgumentException.class, () -> GridAnimation.writeGif(List.of(g), List.of("a"), out, 5));
        assertFalse(Files.exists(out));
    }

    /**
     * Every tile's pixel columns 0..27 land at grid columns x0..x0+27 and nowhere else, through the grid, the PNG
     * and the enlarged side-by-side picture: a column of speckles along tiles' edges in a picture is in the
     * generator's output, not made by the drawing (checked for the bundled digits demo's low_vs_high.png: the
     * speckled columns are column 0 of each low-accuracy tile and column 27 and row 27 of each high-accuracy tile,
     * inside the tiles).
     */
    @Test
    void tileEdgeColumnsAreTheImagesOwnEdgeColumnsThroughGridPngAndSideBySide() throws Exception {
        int rows = 2;
        int cols = 3;
        float[] px = new float[rows * cols * WriterData.PIXELS];
        for (int k = 0; k < rows * cols; k++) {
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    // background −1 inside, a distinct gray on each edge column and row
                    float v = x == 0 ? -0.5f : x == 27 ? 0.5f : y == 27 ? 0f : -1f;
                    px[k * WriterData.PIXELS + y * 28 + x] = v;
                }
            }
        }
        BufferedImage grid = ImageGrid.grid(px, rows, cols);
        Path png = tmp.resolve("edges.png");
        ImageGrid.writePng(grid, png);
        BufferedImage read = javax.imageio.ImageIO.read(png.toFile());
        BufferedImage side = ImageGrid.sideBySide(read, "a", read, "b", "t");
        // the left grid inside side: find its frame (FRAME gray) on a row through the grids
        int frameX = -1;
        int frameY = -1;
        for (int y = 0; y < side.getHeight() && frameX < 0; y++) {
            for (int x = 0; x < side.getWidth() / 2; x++) {
                if ((side.getRGB(x, y) & 0xFFFFFF) == (ImageGrid.FRAME.getRGB() & 0xFFFFFF)) {
                    frameX = x;
                    frameY = y;
                    break;
                }
            }
        }
        assertTrue(frameX >= 0, "frame found");
        for (int k = 0; k < rows * cols; k++) {
            int x0 = (k % cols) * 28;
            int y0 = (k / cols) * 28;
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    int want = ImageGrid.toByte(px[k * WriterData.PIXELS + y * 28 + x]);
                    assertEquals(want, grid.getRaster().getSample(x0 + x, y0 + y, 0), "grid, tile " + k + " (" + x + ", " + y + ")");
                    assertEquals(want, ImageGrid.grayAt(read, x0 + x, y0 + y), "png, tile " + k + " (" + x + ", " + y + ")");
                    for (int d = 0; d < ImageGrid.SCALE * ImageGrid.SCALE; d++) {
                        int sx = frameX + 1 + (x0 + x) * ImageGrid.SCALE + d % ImageGrid.SCALE;
                        int sy = frameY + 1 + (y0 + y) * ImageGrid.SCALE + d / ImageGrid.SCALE;
                        assertEquals(want, ImageGrid.grayAt(side, sx, sy), "side by side, tile " + k + " (" + x + ", " + y + ")");
                    }
                }
            }
        }
    }
}

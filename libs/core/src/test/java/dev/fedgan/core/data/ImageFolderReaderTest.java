package dev.fedgan.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The colour image reader on files the test writes, and the generated shapes. */
class ImageFolderReaderTest {

    @TempDir
    Path tmp;

    static BufferedImage filled(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    static void write(BufferedImage img, String format, Path file) throws Exception {
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(img, format, file.toFile()));
    }

    /** Channel c of pixel (x, y) of image i. */
    static float at(ColourImages d, int i, int c, int y, int x) {
        int s = d.side();
        return d.pixels()[i * ColourImages.values(s) + (c * s + y) * s + x];
    }

    @Test
    void aFolderOfPngAndJpegFilesIsReadAsRgbInMinusOneToOneWithClientsByFolder() throws Exception {
        Path root = tmp.resolve("photos");
        write(filled(64, 64, 0xff0000), "png", root.resolve("alice/a.png"));
        // 96 x 64: blue stripes of 16 columns either side of a green square; the centre crop keeps only green
        BufferedImage wide = filled(96, 64, 0x0000ff);
        for (int y = 0; y < 64; y++) {
            for (int x = 16; x < 80; x++) {
                wide.setRGB(x, y, 0x00ff00);
            }
        }
        write(wide, "png", root.resolve("alice/b.png"));
        write(filled(64, 64, 0xc86432), "jpg", root.resolve("bob/c.jpg"));
        write(filled(80, 80, 0xffffff), "png", root.resolve("top.png"));
        Files.writeString(root.resolve("notes.txt"), "not an image");

        ColourImages d = ImageFolderReader.read(root, 64, 0);
        assertEquals(List.of("alice/a.png", "alice/b.png", "bob/c.jpg", "top.png"), List.of(d.files()));
        assertEquals(List.of("alice", "alice", "bob", "photos"), List.of(d.clients()));
        assertEquals(List.of("alice", "bob", "photos"), d.clientIds());
        assertArrayEquals(new int[] {0, 1}, d.imagesOf("alice"));
        // red (255, 0, 0) is (1, -1, -1) everywhere; the crop of the wide image is pure green
        for (int c = 0; c < 3; c++) {
            assertEquals(c == 0 ? 1f : -1f, at(d, 0, c, 5, 60), 0);
            assertEquals(c == 1 ? 1f : -1f, at(d, 1, c, 31, 0), 0, "left edge of the crop");
            assertEquals(c == 1 ? 1f : -1f, at(d, 1, c, 31, 63), 0, "right edge of the crop");
        }
        // JPEG is lossy: (200, 100, 50) within a few levels
        assertEquals(200 / 127.5 - 1, at(d, 2, 0, 10, 10), 4 / 127.5);
        assertEquals(100 / 127.5 - 1, at(d, 2, 1, 10, 10), 4 / 127.5);
        assertEquals(50 / 127.5 - 1, at(d, 2, 2, 10, 10), 4 / 127.5);
        assertEquals(1f, at(d, 3, 2, 63, 63), 0, "80 x 80 white, averaged down, stays white");
        assertNull(d.attributes());
        assertEquals(2, ImageFolderReader.read(root, 64, 2).size(), "a limit");
        assertEquals(64, d.fingerprint().length());
    }

    @Test
    void resizingAveragesTheAreaEachOutputPixelCovers() {
        // 6 x 6 to 4 x 4: each output pixel covers 1.5 input pixels a side. Red = 10 x in every row, so output
        // column 0 averages x = 0 (weight 1) and x = 1 (weight 0.5): 10 * 0.5 / 1.5; column 1 covers x = 1 (0.5),
        // 2 (1): (10 * 0.5 + 20) / 1.5.
        BufferedImage img = new BufferedImage(6, 6, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 6; x++) {
                img.setRGB(x, y, (10 * x) << 16);
            }
        }
        float[] out = ImageFolderReader.squareRgb(img, 4);
        assertEquals(10 * 0.5 / 1.5 / 127.5 - 1, out[0], 1e-6);
        assertEquals((10 * 0.5 + 20) / 1.5 / 127.5 - 1, out[1], 1e-6);
        assertEquals((10 * 0.5 + 20) / 1.5 / 127.5 - 1, out[3 * 4 + 1], 1e-6, "the same in every row");
        // a one-pixel checkerboard halved is mid-grey: 0 exactly
        BufferedImage board = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                board.setRGB(x, y, (x + y) % 2 == 0 ? 0xffffff : 0);
            }
        }
        for (float v : ImageFolderReader.squareRgb(board, 4)) {
            assertEquals(0f, v, 1e-6);
        }
    }

    @Test
    void theCelebaLayoutIsReadWithItsAttributesAndPartition() throws Exception {
        Path root = tmp.resolve("celeba");
        write(filled(178, 218, 0x000000), "jpg", root.resolve("img_align_celeba/000001.jpg"));
        write(filled(178, 218, 0xffffff), "jpg", root.resolve("img_align_celeba/000002.jpg"));
        Files.writeString(root.resolve("list_attr_celeba.txt"), "2\nSmiling Male \n000001.jpg  1 -1\n000002.jpg -1  1\n");
        Files.writeString(root.resolve("list_eval_partition.txt"), "000001.jpg 0\n000002.jpg 2\n");
        assertTrue(ImageFolderReader.isCeleba(root));
        ColourImages d = ImageFolderReader.read(root, 64, 0);
        assertEquals(List.of("img_align_celeba/000001.jpg", "img_align_celeba/000002.jpg"), List.of(d.files()));
        assertEquals(List.of("Smiling", "Male"), d.attributeNames());
        assertArrayEquals(new byte[] {1, -1}, d.attributes()[0]);
        assertArrayEquals(new byte[] {-1, 1}, d.attributes()[1]);
        assertArrayEquals(new byte[] {0, 2}, d.split());
        assertEquals(List.of("celeba"), d.clientIds());
        assertEquals(-1f, at(d, 0, 0, 32, 32), 2 / 127.5);
        assertEquals(1f, at(d, 1, 2, 32, 32), 2 / 127.5);

        Files.writeString(root.resolve("list_attr_celeba.txt"), "2\nSmiling Male\n000001.jpg 1 0\n");
        String bad = assertThrows(DatasetException.class, () -> ImageFolderReader.read(root, 64, 0)).getMessage();
        assertTrue(bad.contains("list_attr_celeba.txt") && bad.contains("attribute Male is '0'"), bad);
    }

    @Test
    void aCorruptFileOrAnEmptyFolderIsAnErrorNamingIt() throws Exception {
        Path root = tmp.resolve("broken");
        write(filled(8, 8, 0x123456), "png", root.resolve("ok.png"));
        Files.write(root.resolve("bad.jpg"), new byte[] {1, 2, 3, 4, 5});
        String bad = assertThrows(DatasetException.class, () -> ImageFolderReader.read(root, 64, 0)).getMessage();
        assertTrue(bad.contains("bad.jpg") && bad.contains("not a readable JPEG or PNG image"), bad);
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertTrue(assertThrows(DatasetException.class, () -> ImageFolderReader.read(empty, 64, 0)).getMessage()
                .contains("no .jpg, .jpeg or .png image"));
        assertThrows(IllegalArgumentException.class, () -> ImageFolderReader.read(root, 2, 0));
    }

    @Test
    void imagesAreDealtToClientsByAnAttributeOrEvenly() {
        ColourImages shapes = ColourShapes.generate(30, 3, 16, 5);
        ColourImages byRed = ColourPartition.byAttribute(shapes, "red");
        int red = ColourShapes.SHAPES.size() + ColourShapes.COLOURS.indexOf("red");
        for (int i = 0; i < shapes.size(); i++) {
            assertEquals(shapes.attributes()[i][red] == 1 ? "red=1" : "red=-1", byRed.clients()[i]);
        }
        assertEquals(shapes.fingerprint(), byRed.fingerprint(), "the same images");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ColourPartition.byAttribute(shapes, "Male"))
                .getMessage().contains("no attribute 'Male'; it has [circle"));

        ColourImages even = ColourPartition.evenly(shapes, 4, 9);
        assertEquals(List.of("client-0", "client-1", "client-2", "client-3"),
                even.clientIds().stream().sorted().toList());
        int[] sizes = even.clientIds().stream().mapToInt(id -> even.imagesOf(id).length).sorted().toArray();
        assertArrayEquals(new int[] {7, 7, 8, 8}, sizes, "30 images to 4 clients");
        assertEquals(List.of(even.clients()), List.of(ColourPartition.evenly(shapes, 4, 9).clients()), "seeded");
        assertNotEquals(List.of(even.clients()), List.of(ColourPartition.evenly(shapes, 4, 10).clients()));
        assertThrows(IllegalArgumentException.class, () -> ColourPartition.evenly(shapes, 31, 1));
    }

    @Test
    void theGeneratedShapesAreSeededLabelledAndReadBackFromTheirPngs() throws Exception {
        ColourImages shapes = ColourShapes.generate(12, 3, 64, 7);
        assertEquals(List.of("c000", "c001", "c002"), shapes.clientIds());
        assertEquals(4, shapes.imagesOf("c001").length);
        for (byte[] a : shapes.attributes()) {
            int shape = 0;
            int colour = 0;
            for (int k = 0; k < a.length; k++) {
                shape += k < ColourShapes.SHAPES.size() && a[k] == 1 ? 1 : 0;
                colour += k >= ColourShapes.SHAPES.size() && a[k] == 1 ? 1 : 0;
            }
            assertEquals(List.of(1, 1), List.of(shape, colour), "one shape and one colour each");
        }
        assertEquals(shapes.fingerprint(), ColourShapes.generate(12, 3, 64, 7).fingerprint());
        assertNotEquals(shapes.fingerprint(), ColourShapes.generate(12, 3, 64, 8).fingerprint());
        // the shape's colour is in the image: some pixel is the shape's RGB
        int red = ColourShapes.SHAPES.size() + ColourShapes.COLOURS.indexOf("red");
        for (int i = 0; i < shapes.size(); i++) {
            if (shapes.attributes()[i][red] == 1) {
                boolean found = false;
                for (int p = 0; p < 64 * 64 && !found; p++) {
                    found = Math.abs(shapes.image(i)[p] - (230 / 127.5f - 1)) < 1e-3
                            && Math.abs(shapes.image(i)[64 * 64 + p] - (30 / 127.5f - 1)) < 1e-3;
                }
                assertTrue(found, "image " + i + " is said red but has no red pixel");
            }
        }
        Path dir = tmp.resolve("shapes");
        ColourShapes.writePngs(shapes, dir);
        ColourImages back = ImageFolderReader.read(dir, 64, 0);
        assertEquals(shapes.size(), back.size());
        List<String> generated = List.of(shapes.files());
        for (int i = 0; i < back.size(); i++) { // read back in path order, grouped by client
            int k = generated.indexOf(back.files()[i]);
            assertArrayEquals(shapes.image(k), back.image(i), "PNG is lossless: " + back.files()[i]);
            assertEquals(shapes.clients()[k], back.clients()[i]);
        }
    }
}

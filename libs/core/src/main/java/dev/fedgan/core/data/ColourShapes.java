package dev.fedgan.core.data;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * A generated colour data set for tests and the demo: one filled shape (circle, square or triangle) of one of six
 * colours on a background of a random colour with a vertical gradient, the shape's size and place random. A generator
 * that collapses to few modes, or gets colours wrong, shows it at a glance. Each image's shape and colour are kept as
 * +1 / -1 attributes (one per shape, one per colour), so clients can be formed by a column; by default the images
 * are dealt to {@code clients} clients in turn. The same seed gives the same images.
 */
public final class ColourShapes {

    public static final List<String> SHAPES = List.of("circle", "square", "triangle");
    public static final List<String> COLOURS = List.of("red", "green", "blue", "yellow", "magenta", "cyan");
    private static final Color[] RGB = {new Color(230, 30, 30), new Color(30, 200, 40), new Color(40, 60, 230),
        new Color(240, 220, 30), new Color(220, 40, 210), new Color(30, 210, 220)};

    private ColourShapes() {
    }

    /**
     * @throws IllegalArgumentException if count or clients is below 1, or clients exceeds count
     */
    public static ColourImages generate(int count, int clients, int side, long seed) {
        if (count < 1 || clients < 1 || clients > count) {
            throw new IllegalArgumentException("need 1 <= clients <= count, got " + clients + " clients for " + count
                    + " images");
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] pixels = new float[count * ColourImages.values(side)];
        String[] files = new String[count];
        String[] owners = new String[count];
        List<String> names = new ArrayList<>(SHAPES);
        names.addAll(COLOURS);
        byte[][] attributes = new byte[count][names.size()];
        for (int i = 0; i < count; i++) {
            int shape = random.nextInt(SHAPES.size());
            int colour = random.nextInt(COLOURS.size());
            BufferedImage img = draw(shape, colour, side, random);
            float[] chw = ImageFolderReader.squareRgb(img, side);
            System.arraycopy(chw, 0, pixels, i * chw.length, chw.length);
            owners[i] = String.format("c%03d", i % clients);
            files[i] = owners[i] + "/" + String.format("%05d", i) + "-" + COLOURS.get(colour) + "-" + SHAPES.get(shape)
                    + ".png";
            java.util.Arrays.fill(attributes[i], (byte) -1);
            attributes[i][shape] = 1;
            attributes[i][SHAPES.size() + colour] = 1;
        }
        return new ColourImages("shapes:" + count + "@" + seed, ImageFolderReader.fingerprint(pixels), side, pixels,
                files, owners, names, attributes, null);
    }

    /** One image: the background gradient, then the shape, antialiased. */
    static BufferedImage draw(int shape, int colour, int side, SplittableRandom random) {
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            Color top = new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256));
            Color bottom = top.darker().darker();
            g.setPaint(new GradientPaint(0, 0, top, 0, side, bottom));
            g.fillRect(0, 0, side, side);
            int size = side / 3 + random.nextInt(side / 3);
            int x = random.nextInt(side - size + 1);
            int y = random.nextInt(side - size + 1);
            g.setColor(RGB[colour]);
            switch (shape) {
                case 0 -> g.fillOval(x, y, size, size);
                case 1 -> g.fillRect(x, y, size, size);
                default -> g.fillPolygon(new Polygon(new int[] {x, x + size / 2, x + size},
                        new int[] {y + size, y, y + size}, 3));
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Writes the images as PNG files under {@code dir} at their {@link ColourImages#files} paths. */
    public static void writePngs(ColourImages images, Path dir) {
        int side = images.side();
        for (int i = 0; i < images.size(); i++) {
            float[] chw = images.image(i);
            BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    int r = byteOf(chw[(0 * side + y) * side + x]);
                    int gr = byteOf(chw[(1 * side + y) * side + x]);
                    int b = byteOf(chw[(2 * side + y) * side + x]);
                    img.setRGB(x, y, (r << 16) | (gr << 8) | b);
                }
            }
            Path file = dir.resolve(images.files()[i]);
            try {
                Files.createDirectories(file.getParent());
                ImageIO.write(img, "png", file.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
            }
        }
    }

    private static int byteOf(float v) {
        return (int) Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
    }
}

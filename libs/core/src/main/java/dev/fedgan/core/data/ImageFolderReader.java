package dev.fedgan.core.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Reads a folder of JPEG and PNG images, any size, into {@link ColourImages}: each image centre-cropped to a square
 * (the shorter side), resized to {@code side}×{@code side} by area averaging (each output pixel the mean of the input
 * area it covers, partial pixels weighted), as RGB in [-1, 1]. Grey and palette images become RGB; transparency is
 * dropped.
 *
 * <ul>
 *   <li>A plain folder: every {@code .jpg}, {@code .jpeg} and {@code .png} below it, in path order; an image's client
 *       is its first folder below the root ({@code root/alice/x.png} → {@code alice}), or {@code root} for images at
 *       the top.</li>
 *   <li>The CelebA layout, recognised by {@code img_align_celeba/} beside {@code list_attr_celeba.txt}: the images
 *       the attribute list names, in its order, with their 40 attributes (+1 / -1) and, when
 *       {@code list_eval_partition.txt} is there, their evaluation partition; the client of every image is
 *       {@code celeba} until partitioned (by an attribute, evenly or Dirichlet).</li>
 * </ul>
 * A file that is not a readable image fails the read, naming it.
 */
public final class ImageFolderReader {

    public static final String CELEBA_IMAGES = "img_align_celeba";
    public static final String CELEBA_ATTRIBUTES = "list_attr_celeba.txt";
    public static final String CELEBA_PARTITION = "list_eval_partition.txt";

    private ImageFolderReader() {
    }

    /** Whether {@code dir} has the CelebA layout. */
    public static boolean isCeleba(Path dir) {
        return Files.isDirectory(dir.resolve(CELEBA_IMAGES)) && Files.isRegularFile(dir.resolve(CELEBA_ATTRIBUTES));
    }

    /** Whether {@code dir} is a folder of images: the CelebA layout, or any JPEG or PNG file below it. */
    public static boolean holdsImages(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        if (isCeleba(dir)) {
            return true;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.anyMatch(p -> Files.isRegularFile(p) && isImage(p));
        } catch (IOException e) {
            throw new DatasetException(dir.toString(), null, "cannot list the folder: " + e.getMessage(), e);
        }
    }

    /**
     * @param limit read at most this many images (0: all), in the order above
     * @throws DatasetException naming the file for an unreadable image or a malformed CelebA list, or the folder if
     *                          it holds no image
     */
    public static ColourImages read(Path dir, int side, int limit) {
        if (side < 4 || side > 1024) {
            throw new IllegalArgumentException("the image side must be in [4, 1024], got " + side);
        }
        if (!Files.isDirectory(dir)) {
            throw new DatasetException(dir.toString(), null, "not a folder of images");
        }
        return isCeleba(dir) ? celeba(dir, side, limit) : folder(dir, side, limit);
    }

    private static ColourImages folder(Path dir, int side, int limit) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).filter(ImageFolderReader::isImage).sorted().toList();
        } catch (IOException e) {
            throw new DatasetException(dir.toString(), null, "cannot list the folder: " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new DatasetException(dir.toString(), null, "no .jpg, .jpeg or .png image below the folder");
        }
        if (limit > 0 && files.size() > limit) {
            files = files.subList(0, limit);
        }
        int n = files.size();
        float[] pixels = new float[n * ColourImages.values(side)];
        String[] names = new String[n];
        String[] clients = new String[n];
        for (int i = 0; i < n; i++) {
            Path rel = dir.relativize(files.get(i));
            names[i] = rel.toString().replace('\\', '/');
            clients[i] = rel.getNameCount() > 1 ? rel.getName(0).toString() : dir.getFileName().toString();
            decode(files.get(i), side, pixels, i);
        }
        return new ColourImages(dir.toString(), fingerprint(pixels), side, pixels, names, clients, List.of(), null,
                null);
    }

    private static ColourImages celeba(Path dir, int side, int limit) {
        Path list = dir.resolve(CELEBA_ATTRIBUTES);
        List<String> lines;
        try {
            lines = Files.readAllLines(list);
        } catch (IOException e) {
            throw new DatasetException(list.toString(), null, "cannot read: " + e.getMessage(), e);
        }
        if (lines.size() < 2) {
            throw new DatasetException(list.toString(), null, "needs a count line and a line of attribute names");
        }
        List<String> attributeNames = List.of(lines.get(1).trim().split("\\s+"));
        List<String[]> rows = new ArrayList<>();
        for (int l = 2; l < lines.size() && (limit <= 0 || rows.size() < limit); l++) {
            if (lines.get(l).isBlank()) {
                continue;
            }
            String[] f = lines.get(l).trim().split("\\s+");
            if (f.length != attributeNames.size() + 1) {
                throw new DatasetException(list.toString(), null, "line " + (l + 1) + " has " + (f.length - 1)
                        + " attributes, the header names " + attributeNames.size());
            }
            rows.add(f);
        }
        Map<String, Byte> partition = Files.isRegularFile(dir.resolve(CELEBA_PARTITION))
                ? partition(dir.resolve(CELEBA_PARTITION)) : null;
        int n = rows.size();
        if (n == 0) {
            throw new DatasetException(list.toString(), null, "lists no image");
        }
        float[] pixels = new float[n * ColourImages.values(side)];
        String[] names = new String[n];
        String[] clients = new String[n];
        byte[][] attributes = new byte[n][attributeNames.size()];
        byte[] split = partition == null ? null : new byte[n];
        for (int i = 0; i < n; i++) {
            String[] f = rows.get(i);
            names[i] = CELEBA_IMAGES + "/" + f[0];
            clients[i] = "celeba";
            for (int a = 0; a < attributeNames.size(); a++) {
                attributes[i][a] = switch (f[a + 1]) {
                    case "1" -> 1;
                    case "-1" -> -1;
                    default -> throw new DatasetException(list.toString(), null, f[0] + ": attribute "
                            + attributeNames.get(a) + " is '" + f[a + 1] + "', not 1 or -1");
                };
            }
            if (split != null) {
                Byte s = partition.get(f[0]);
                if (s == null) {
                    throw new DatasetException(dir.resolve(CELEBA_PARTITION).toString(), null, "has no line for "
                            + f[0]);
                }
                split[i] = s;
            }
            decode(dir.resolve(CELEBA_IMAGES).resolve(f[0]), side, pixels, i);
        }
        return new ColourImages(dir.toString(), fingerprint(pixels), side, pixels, names, clients, attributeNames,
                attributes, split);
    }

    private static Map<String, Byte> partition(Path file) {
        Map<String, Byte> out = new HashMap<>();
        try {
            List<String> lines = Files.readAllLines(file);
            for (int l = 0; l < lines.size(); l++) {
                if (lines.get(l).isBlank()) {
                    continue;
                }
                String[] f = lines.get(l).trim().split("\\s+");
                if (f.length != 2 || !f[1].matches("[012]")) {
                    throw new DatasetException(file.toString(), null, "line " + (l + 1) + " is not 'FILE 0|1|2'");
                }
                out.put(f[0], Byte.parseByte(f[1]));
            }
        } catch (IOException e) {
            throw new DatasetException(file.toString(), null, "cannot read: " + e.getMessage(), e);
        }
        return out;
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
    }

    /** Decodes {@code file} into image {@code index} of {@code pixels}. */
    private static void decode(Path file, int side, float[] pixels, int index) {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new DatasetException(file.toString(), null, "not a readable JPEG or PNG image: " + e.getMessage(), e);
        }
        if (img == null) {
            throw new DatasetException(file.toString(), null, "not a readable JPEG or PNG image");
        }
        float[] chw = squareRgb(img, side);
        System.arraycopy(chw, 0, pixels, index * chw.length, chw.length);
    }

    /**
     * The image's centre square (the shorter side; an odd remainder leaves the extra row or column on the right
     * or bottom) resized to side×side by area averaging, as [3, side, side] in [-1, 1].
     */
    public static float[] squareRgb(BufferedImage img, int side) {
        int w = img.getWidth();
        int h = img.getHeight();
        int s = Math.min(w, h);
        int x0 = (w - s) / 2;
        int y0 = (h - s) / 2;
        double[][] rgb = new double[3][s * s];
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                int p = img.getRGB(x0 + x, y0 + y);
                rgb[0][y * s + x] = (p >> 16) & 0xff;
                rgb[1][y * s + x] = (p >> 8) & 0xff;
                rgb[2][y * s + x] = p & 0xff;
            }
        }
        float[] out = new float[ColourImages.values(side)];
        double scale = (double) s / side;
        for (int c = 0; c < 3; c++) {
            for (int oy = 0; oy < side; oy++) {
                double ya = oy * scale;
                double yb = ya + scale;
                for (int ox = 0; ox < side; ox++) {
                    double xa = ox * scale;
                    double xb = xa + scale;
                    double sum = 0;
                    double area = 0;
                    for (int y = (int) Math.floor(ya); y < Math.min(s, (int) Math.ceil(yb)); y++) {
                        double wy = Math.min(yb, y + 1) - Math.max(ya, y);
                        for (int x = (int) Math.floor(xa); x < Math.min(s, (int) Math.ceil(xb)); x++) {
                            double wxy = wy * (Math.min(xb, x + 1) - Math.max(xa, x));
                            sum += wxy * rgb[c][y * s + x];
                            area += wxy;
                        }
                    }
                    out[(c * side + oy) * side + ox] = (float) (sum / area / 127.5 - 1);
                }
            }
        }
        return out;
    }

    static String fingerprint(float[] pixels) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            ByteBuffer b = ByteBuffer.allocate(4 * 4096).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < pixels.length; i++) {
                if (!b.hasRemaining()) {
                    sha.update(b.array(), 0, b.position());
                    b.clear();
                }
                b.putFloat(pixels[i]);
            }
            sha.update(b.array(), 0, b.position());
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.fedgan.core.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX image/label pairs (raw or gzip): MNIST, EMNIST, Fashion-MNIST. Images are unsigned bytes with
 * 0 = background; labels are unsigned bytes. IDX carries no writer ids: the result is one flat example list
 * that {@link WriterPartition} splits into synthetic writers.
 */
public final class IdxReader {

    private static final int UBYTE = 0x08;

    /** Images as stored, scaled to [0, 1] (bytes / 255, n x 784, row-major), and raw labels. */
    public record Examples(String source, float[] pixels, long[] labels) {
        public int size() {
            return labels.length;
        }
    }

    private IdxReader() {
    }

    /**
     * The label file that belongs to an image file by the usual naming ({@code *-images-idx3-ubyte[.gz]} next to
     * {@code *-labels-idx1-ubyte[.gz]}).
     */
    public static Path labelsFor(Path images) {
        String name = images.getFileName().toString();
        String guess = name.replace("images-idx3", "labels-idx1").replace("images.idx3", "labels.idx1");
        if (guess.equals(name)) {
            throw new DatasetException(images.toString(), null,
                    "cannot tell the label file from this name; expected '*-images-idx3-ubyte[.gz]' with '*-labels-idx1-ubyte[.gz]' beside it");
        }
        Path p = images.resolveSibling(guess);
        if (!Files.exists(p)) {
            throw new DatasetException(images.toString(), null, "label file " + p + " not found");
        }
        return p;
    }

    public static Examples read(Path images, Path labels) {
        try (InputStream im = open(images); InputStream lb = open(labels)) {
            return read(images.toString(), im, labels.toString(), lb, transposed(images));
        } catch (IOException e) {
            throw new DatasetException(images.toString(), null, "cannot read: " + e.getMessage(), e);
        }
    }

    /** EMNIST's IDX images are stored transposed relative to MNIST's. */
    static boolean transposed(Path images) {
        return images.getFileName().toString().toLowerCase().contains("emnist");
    }

    static Examples read(String imageSrc, InputStream images, String labelSrc, InputStream labels, boolean transpose) {
        int[] imDims = header(imageSrc, images, 3);
        int[] lbDims = header(labelSrc, labels, 1);
        if (imDims[1] != WriterData.SIDE || imDims[2] != WriterData.SIDE) {
            throw new DatasetException(imageSrc, null, "images are " + imDims[1] + "x" + imDims[2] + ", expected 28x28");
        }
        if (imDims[0] != lbDims[0]) {
            throw new DatasetException(imageSrc, null, imDims[0] + " images but " + lbDims[0] + " labels in " + labelSrc);
        }
        int n = imDims[0];
        byte[] px = readFully(imageSrc, images, (long) n * WriterData.PIXELS, "image data");
        byte[] lb = readFully(labelSrc, labels, n, "label data");
        float[] pixels = new float[px.length];
        for (int i = 0; i < n; i++) {
            int base = i * WriterData.PIXELS;
            for (int r = 0; r < WriterData.SIDE; r++) {
                for (int c = 0; c < WriterData.SIDE; c++) {
                    int from = base + (transpose ? c * WriterData.SIDE + r : r * WriterData.SIDE + c);
                    pixels[base + r * WriterData.SIDE + c] = (px[from] & 0xff) / 255f;
                }
            }
        }
        long[] labelsOut = new long[n];
        for (int i = 0; i < n; i++) {
            labelsOut[i] = lb[i] & 0xff;
        }
        return new Examples(imageSrc, pixels, labelsOut);
    }

    private static InputStream open(Path p) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(p), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        return in;
    }

    private static int[] header(String src, InputStream in, int wantDims) {
        try {
            DataInputStream d = new DataInputStream(in);
            int magic = d.readInt();
            int type = (magic >> 8) & 0xff;
            int dims = magic & 0xff;
            if ((magic >>> 16) != 0 || type != UBYTE || dims != wantDims) {
                throw new DatasetException(src, null, String.format(
                        "not an IDX %s file (magic 0x%08x; expected 0x%08x: unsigned bytes, %d dimension%s)",
                        wantDims == 3 ? "image" : "label", magic, (UBYTE << 8) | wantDims, wantDims, wantDims == 1 ? "" : "s"));
            }
            int[] out = new int[dims];
            for (int i = 0; i < dims; i++) {
                out[i] = d.readInt();
                if (out[i] < 0) {
                    throw new DatasetException(src, null, "negative dimension " + out[i]);
                }
            }
            return out;
        } catch (EOFException e) {
            throw new DatasetException(src, null, "truncated IDX header", e);
        } catch (ZipException e) {
            throw new DatasetException(src, null, "corrupt gzip stream: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new DatasetException(src, null, "cannot read: " + e.getMessage(), e);
        }
    }

    private static byte[] readFully(String src, InputStream in, long want, String what) {
        if (want > Integer.MAX_VALUE - 16) {
            throw new DatasetException(src, null, what + " of " + want + " bytes is too large");
        }
        try {
            byte[] b = in.readNBytes((int) want);
            if (b.length != want) {
                throw new DatasetException(src, null, "truncated: expected " + want + " bytes of " + what + ", found " + b.length);
            }
            return b;
        } catch (ZipException e) {
            throw new DatasetException(src, null, "corrupt gzip stream: " + e.getMessage(), e);
        } catch (EOFException e) {
            throw new DatasetException(src, null, "truncated " + what + " (gzip stream ended early)", e);
        } catch (IOException e) {
            throw new DatasetException(src, null, "cannot read: " + e.getMessage(), e);
        }
    }
}

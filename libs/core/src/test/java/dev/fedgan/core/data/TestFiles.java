package dev.fedgan.core.data;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Writers of small data files in the real formats, for loader tests. */
public final class TestFiles {

    private TestFiles() {
    }

    public static Path fixture(String name) {
        try {
            return Path.of(TestFiles.class.getResource("/fixtures/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TFF-layout HDF5 file: examples/<writer>/{pixels float32 n x 28 x 28, label int32 n}. */
    public static Path tff(Path file, Map<String, float[][][]> pixels, Map<String, int[]> labels) {
        try (WritableHdfFile f = HdfFile.write(file)) {
            WritableGroup examples = f.putGroup("examples");
            for (String id : pixels.keySet()) {
                WritableGroup g = examples.putGroup(id);
                g.putDataset("label", labels.get(id));
                g.putDataset("pixels", pixels.get(id));
            }
        }
        return file;
    }

    /** n images of 28x28 in TFF convention (1.0 = background) with a vertical stroke of value {@code ink}. */
    public static float[][][] strokes(int n, float ink) {
        float[][][] px = new float[n][28][28];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < 28; r++) {
                for (int c = 0; c < 28; c++) {
                    px[i][r][c] = (c == 10 + i % 5) ? ink : 1f;
                }
            }
        }
        return px;
    }

    /** An IDX image file (n x 28 x 28 unsigned bytes) and its label file, optionally gzipped. */
    public static Path idx(Path dir, String prefix, byte[][] images, byte[] labels, boolean gzip) throws IOException {
        ByteBuffer im = ByteBuffer.allocate(16 + images.length * 784);
        im.putInt(0x00000803).putInt(images.length).putInt(28).putInt(28);
        for (byte[] img : images) {
            im.put(img);
        }
        ByteBuffer lb = ByteBuffer.allocate(8 + labels.length);
        lb.putInt(0x00000801).putInt(labels.length).put(labels);
        String ext = gzip ? ".gz" : "";
        Path imPath = dir.resolve(prefix + "-images-idx3-ubyte" + ext);
        Files.write(imPath, gzip ? gzip(im.array()) : im.array());
        Path lbPath = dir.resolve(prefix + "-labels-idx1-ubyte" + ext);
        Files.write(lbPath, gzip ? gzip(lb.array()) : lb.array());
        return imPath;
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(bos)) {
            o.write(b);
        }
        return bos.toByteArray();
    }
}

package dev.fedgan.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetLoaderTest {

    static final WriterPartition.Options PARTITION = WriterPartition.Options.DEFAULT;

    @TempDir
    Path tmp;

    @Test
    void readsTheTffFixtureWrittenByH5py() {
        FederatedDataset d = DatasetLoader.load(TestFiles.fixture("fed_emnist_digitsonly_tiny_train.h5").toString(), PARTITION);
        assertEquals(DatasetFormat.TFF_HDF5, d.format());
        assertEquals(12, d.numWriters());
        assertEquals(188, d.numExamples());
        assertEquals(10, d.numClasses());
        assertEquals("f1000_10", d.writers().get(0).id());
        assertArrayEquals(new int[] {7, 8, 1, 5, 0, 2, 4, 0}, d.writers().get(0).labels());
        // Internal convention: background -1, so normal digits average well below zero (reference: <= -0.7).
        assertTrue(d.meanPixel() < -0.7, "mean pixel " + d.meanPixel());
        for (WriterData w : d.writers()) {
            assertEquals(-1f, w.pixels()[0], 1e-6f, "top-left corner of " + w.id() + " is background");
        }
    }

    @Test
    void leafAndTffFixturesHoldTheSameWritersAndImages() {
        FederatedDataset tff = DatasetLoader.load(TestFiles.fixture("fed_emnist_digitsonly_tiny_train.h5").toString(), PARTITION);
        FederatedDataset leaf = DatasetLoader.load(TestFiles.fixture("femnist_leaf_tiny.json").toString(), PARTITION);
        assertEquals(DatasetFormat.LEAF_JSON, leaf.format());
        assertEquals(6, leaf.numWriters());
        assertEquals(89, leaf.numExamples());
        for (WriterData w : leaf.writers()) {
            WriterData t = tff.byId().get(w.id());
            assertArrayEquals(t.labels(), w.labels(), w.id());
            assertArrayEquals(t.pixels(), w.pixels(), 1e-6f, w.id());
        }
    }

    @Test
    void tffPixelsMapToTheInternalConventionAndEmnist62FoldsTo36() {
        Map<String, float[][][]> px = new LinkedHashMap<>();
        Map<String, int[]> lb = new LinkedHashMap<>();
        px.put("w_b", TestFiles.strokes(3, 0f));
        lb.put("w_b", new int[] {3, 40, 61});
        px.put("w_a", TestFiles.strokes(2, 0.25f));
        lb.put("w_a", new int[] {10, 35});
        FederatedDataset d = TffHdf5Reader.read(TestFiles.tff(tmp.resolve("emnist.h5"), px, lb));
        assertEquals(36, d.numClasses());
        assertEquals(List.of("w_a", "w_b"), List.copyOf(d.byId().keySet()), "writers sorted by id");
        assertArrayEquals(new int[] {10, 35}, d.byId().get("w_a").labels());
        assertArrayEquals(new int[] {3, 14, 35}, d.byId().get("w_b").labels(), "lower case 36..61 folds to upper case");
        float[] b = d.byId().get("w_b").pixels();
        assertEquals(-1f, b[0]);            // x = 1.0 (background) -> 1 - 2x = -1
        assertEquals(1f, b[10]);            // x = 0.0 (ink) -> +1
        assertEquals(0.5f, d.byId().get("w_a").pixels()[10], 1e-6f); // x = 0.25 -> 0.5
    }

    @Test
    void tffErrorsNameTheFileAndTheWriter() throws IOException {
        Map<String, float[][][]> px = new LinkedHashMap<>();
        Map<String, int[]> lb = new LinkedHashMap<>();
        float[][][] nan = TestFiles.strokes(4, 0f);
        nan[2][5][6] = Float.NaN;
        px.put("good", TestFiles.strokes(2, 0f));
        lb.put("good", new int[] {1, 2});
        px.put("bad_one", nan);
        lb.put("bad_one", new int[] {1, 2, 3, 4});
        Path f = TestFiles.tff(tmp.resolve("nan.h5"), px, lb);
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetLoader.load(f.toString(), PARTITION));
        assertEquals("bad_one", e.writer());
        assertTrue(e.getMessage().contains("nan.h5") && e.getMessage().contains("pixel (5,6) of example 2")
                && e.getMessage().contains("NaN"), e.getMessage());

        px.clear();
        lb.clear();
        px.put("w", TestFiles.strokes(2, 0f));
        lb.put("w", new int[] {1, 70});
        DatasetException label = assertThrows(DatasetException.class,
                () -> TffHdf5Reader.read(TestFiles.tff(tmp.resolve("label.h5"), px, lb)));
        assertTrue(label.getMessage().contains("writer w") && label.getMessage().contains("label 70 at example 1"), label.getMessage());

        lb.put("w", new int[] {1, 2, 3});
        DatasetException shape = assertThrows(DatasetException.class,
                () -> TffHdf5Reader.read(TestFiles.tff(tmp.resolve("shape.h5"), px, lb)));
        assertTrue(shape.getMessage().contains("label has shape [3]"), shape.getMessage());

        px.put("w", new float[2][28][27]);
        lb.put("w", new int[] {1, 2});
        DatasetException wide = assertThrows(DatasetException.class,
                () -> TffHdf5Reader.read(TestFiles.tff(tmp.resolve("wide.h5"), px, lb)));
        assertTrue(wide.getMessage().contains("[2, 28, 27]"), wide.getMessage());
    }

    @Test
    void truncatedOrForeignHdf5IsRejectedNotPartiallyLoaded() throws IOException {
        byte[] full = Files.readAllBytes(TestFiles.fixture("fed_emnist_digitsonly_tiny_train.h5"));
        Path cut = tmp.resolve("cut.h5");
        Files.write(cut, Arrays.copyOf(full, full.length / 2));
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetLoader.load(cut.toString(), PARTITION));
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());

        Map<String, float[][][]> px = Map.of("w", TestFiles.strokes(1, 0f));
        Path other = tmp.resolve("other.h5");
        try (var f = io.jhdf.HdfFile.write(other)) {
            f.putGroup("not_examples").putDataset("pixels", px.get("w"));
        }
        DatasetException foreign = assertThrows(DatasetException.class, () -> DatasetLoader.load(other.toString(), PARTITION));
        assertTrue(foreign.getMessage().contains("no top-level group 'examples'"), foreign.getMessage());
    }

    @Test
    void leafErrorsNameTheFileAndTheWriter() throws IOException {
        String fixture = Files.readString(TestFiles.fixture("femnist_leaf_tiny.json"));
        Path cut = tmp.resolve("cut.json");
        Files.writeString(cut, fixture.substring(0, fixture.length() / 2));
        DatasetException trunc = assertThrows(DatasetException.class, () -> DatasetLoader.load(cut.toString(), PARTITION));
        assertTrue(trunc.getMessage().contains("malformed or truncated JSON"), trunc.getMessage());

        Path counts = tmp.resolve("counts.json");
        Files.writeString(counts, fixture.replaceFirst("\"num_samples\": \\[8,", "\"num_samples\": [9,"));
        DatasetException n = assertThrows(DatasetException.class, () -> DatasetLoader.load(counts.toString(), PARTITION));
        assertEquals("f1000_10", n.writer());
        assertTrue(n.getMessage().contains("num_samples says 9 but user_data has 8"), n.getMessage());

        Path shortImage = tmp.resolve("short.json");
        Files.writeString(shortImage, "{\"users\": [\"u1\"], \"num_samples\": [1], \"user_data\": {\"u1\": {\"x\": [[0.5, 0.5]], \"y\": [3]}}}");
        DatasetException s = assertThrows(DatasetException.class, () -> DatasetLoader.load(shortImage.toString(), PARTITION));
        assertTrue(s.getMessage().contains("writer u1: x[0] has 2 values, expected 784"), s.getMessage());

        Path empty = tmp.resolve("empty.json");
        Files.writeString(empty, "{\"users\": [\"u0\"], \"num_samples\": [0], \"user_data\": {\"u0\": {\"x\": [], \"y\": []}}}");
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetLoader.load(empty.toString(), PARTITION));
        assertTrue(e.getMessage().endsWith("writer u0: writer has no examples"), e.getMessage());
    }

    @Test
    void leafDirectoryWithADuplicateWriterIsRejected() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("leaf"));
        Files.copy(TestFiles.fixture("femnist_leaf_tiny.json"), dir.resolve("all_data_0.json"));
        Files.copy(TestFiles.fixture("femnist_leaf_tiny.json"), dir.resolve("all_data_1.json"));
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetLoader.load(dir.toString(), PARTITION));
        assertTrue(e.getMessage().contains("duplicate writer id") && e.getMessage().contains("all_data_1.json")
                && e.getMessage().contains("also in"), e.getMessage());
    }

    @Test
    void idxRawAndGzipReadIdenticallyWithMnistPolarity() throws IOException {
        byte[][] images = new byte[40][784];
        byte[] labels = new byte[40];
        for (int i = 0; i < 40; i++) {
            images[i][100 + i] = (byte) 255; // one ink pixel
            images[i][783] = (byte) 51;
            labels[i] = (byte) (i % 10);
        }
        Path raw = TestFiles.idx(Files.createDirectories(tmp.resolve("raw")), "train", images, labels, false);
        Path gz = TestFiles.idx(Files.createDirectories(tmp.resolve("gz")), "train", images, labels, true);
        WriterPartition.Options o = new WriterPartition.Options(10, Double.POSITIVE_INFINITY, 0, 10, 3);
        FederatedDataset a = DatasetLoader.load(raw.toString(), o);
        FederatedDataset b = DatasetLoader.load(gz.toString(), o);
        assertEquals(DatasetFormat.IDX, a.format());
        assertEquals(a.fingerprint(), b.fingerprint());
        assertEquals(4, a.numWriters());
        assertEquals(40, a.numExamples());
        WriterData w = a.writers().get(0);
        assertEquals(-1f, w.pixels()[0]);                           // byte 0 (background) -> -1
        assertEquals(2f * 51 / 255 - 1, w.pixels()[783], 1e-6f);    // byte 51 -> 2x/255 - 1
    }

    @Test
    void idxProblemsAreNamed() throws IOException {
        byte[][] images = new byte[5][784];
        Path im = TestFiles.idx(tmp, "t", images, new byte[5], false);
        byte[] bytes = Files.readAllBytes(im);
        Files.write(im, Arrays.copyOf(bytes, bytes.length - 100));
        DatasetException cut = assertThrows(DatasetException.class, () -> DatasetLoader.load(im.toString(), PARTITION));
        assertTrue(cut.getMessage().contains("truncated: expected 3920 bytes of image data, found 3820"), cut.getMessage());

        Path im2 = TestFiles.idx(Files.createDirectories(tmp.resolve("m")), "t", images, new byte[4], false);
        DatasetException mismatch = assertThrows(DatasetException.class, () -> DatasetLoader.load(im2.toString(), PARTITION));
        assertTrue(mismatch.getMessage().contains("5 images but 4 labels"), mismatch.getMessage());

        Path lonely = tmp.resolve("x-images-idx3-ubyte");
        Files.write(lonely, Arrays.copyOf(bytes, 16));
        Files.delete(tmp.resolve("t-labels-idx1-ubyte"));
        DatasetException nolabels = assertThrows(DatasetException.class, () -> DatasetLoader.load(lonely.toString(), PARTITION));
        assertTrue(nolabels.getMessage().contains("label file") && nolabels.getMessage().contains("not found"), nolabels.getMessage());
    }

    @Test
    void unknownFormatsAndMissingFilesAreRejected() throws IOException {
        Path junk = tmp.resolve("junk.bin");
        Files.write(junk, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetLoader.load(junk.toString(), PARTITION));
        assertTrue(e.getMessage().contains("unrecognised format (first bytes 0102030405060708)"), e.getMessage());
        DatasetException missing = assertThrows(DatasetException.class,
                () -> DatasetLoader.load(tmp.resolve("nope.h5").toString(), PARTITION));
        assertTrue(missing.getMessage().endsWith("no such file or directory"), missing.getMessage());
        assertThrows(DatasetException.class, () -> DatasetLoader.load("bundled:kitchen", PARTITION));
    }

    @Test
    void checkRejectsWhatLoadWouldRejectWithoutLoading() throws IOException {
        DatasetLoader.check("bundled");
        DatasetLoader.check("bundled:lab");
        DatasetLoader.check("bundled:FIELD");
        DatasetException part = assertThrows(DatasetException.class, () -> DatasetLoader.check("bundled:nope"));
        assertTrue(part.getMessage().contains("unknown part 'nope'"), part.getMessage());
        DatasetException missing = assertThrows(DatasetException.class,
                () -> DatasetLoader.check(tmp.resolve("nope.h5").toString()));
        assertTrue(missing.getMessage().endsWith("no such file or directory"), missing.getMessage());
        Path junk = tmp.resolve("junk.bin");
        Files.write(junk, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertThrows(DatasetException.class, () -> DatasetLoader.check(junk.toString()));
        assertThrows(DatasetException.class, () -> DatasetLoader.check(" "));
    }
}

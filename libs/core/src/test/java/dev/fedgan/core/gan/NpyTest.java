package dev.fedgan.core.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The weight files' .npy tensors: the same bytes as ND4J's writer, read back exactly, bad lengths refused. */
class NpyTest {

    private static INDArray values(long... shape) {
        return Nd4j.rand(DataType.FLOAT, shape).subi(0.5f).muli(1e3f);
    }

    @Test
    void writesTheBytesNd4jWritesForEveryRank() {
        // 1-D shapes carry numpy's trailing comma; headers of different lengths before the 64-byte padding.
        for (long[] shape : new long[][] {{7}, {1}, {3, 4}, {64, 1, 5, 5}, {1024, 3136}, {12, 345, 6}}) {
            INDArray a = values(shape);
            assertArrayEquals(Nd4j.toNpyByteArray(a), Npy.write(a), "shape " + Arrays.toString(shape));
        }
    }

    @Test
    void readsBackExactlyAndAsItsOwnArray() {
        INDArray a = values(32, 1, 5, 5);
        byte[] bytes = Npy.write(a);
        INDArray b = Npy.read(bytes);
        assertArrayEquals(a.shape(), b.shape());
        assertEquals(DataType.FLOAT, b.dataType());
        assertArrayEquals(a.data().asFloat(), b.data().asFloat(), 0f);
        Arrays.fill(bytes, (byte) 0);
        assertArrayEquals(a.data().asFloat(), b.data().asFloat(), 0f, "the array does not share the bytes");
    }

    @Test
    void viewsAndColumnMajorArraysAreWrittenInRowMajorOrder() {
        INDArray a = values(6, 8);
        INDArray view = a.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 4),
                org.nd4j.linalg.indexing.NDArrayIndex.all());
        assertArrayEquals(view.dup('c').data().asFloat(), Npy.read(Npy.write(view)).data().asFloat(), 0f);
        INDArray f = a.dup('f');
        assertArrayEquals(a.data().asFloat(), Npy.read(Npy.write(f)).data().asFloat(), 0f);
    }

    /**
     * The weights file holds each tensor's .npy bytes, written straight from the tensor's memory when it holds its
     * values in row-major order (SameDiff's variables are views of a buffer of their own size), else from a copy.
     */
    @Test
    void theWeightsFileHoldsEachTensorsNpyBytesWrittenFromItsOwnMemoryWhereItCan() throws Exception {
        NetworkWeights w = GanNetworks.initialGenerator(GanPreset.TINY, 5);
        assertTrue(w.tensors().values().stream().anyMatch(t -> t.isView() && NetworkWeights.holdsRowMajor(t)),
                "a variable that is a view of its own buffer is written without a copy");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.write(out);
        Map<String, byte[]> entries = new java.util.HashMap<>();
        try (java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            for (java.util.zip.ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                assertEquals(java.util.zip.ZipEntry.STORED, e.getMethod(), e.getName());
                entries.put(e.getName(), zip.readAllBytes()); // the CRC is checked as it is read
            }
        }
        for (String name : w.names()) {
            assertArrayEquals(Nd4j.toNpyByteArray(w.get(name).dup('c')), entries.get(name + ".npy"), name);
        }

        INDArray a = values(6, 8);
        assertTrue(NetworkWeights.holdsRowMajor(a) && Npy.float32Values(a) != null);
        INDArray rows = a.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 4), org.nd4j.linalg.indexing.NDArrayIndex.all());
        INDArray columns = a.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2));
        for (INDArray copied : new INDArray[] {rows, columns, a.dup('f'), a.castTo(DataType.DOUBLE)}) {
            assertNull(Npy.float32Values(copied), "written from a row-major float copy");
        }
        assertEquals(4 * 48, Npy.float32Values(a).remaining());
        assertEquals(a.getFloat(0, 1), Npy.float32Values(a).getFloat(4), 0f, "little-endian, row-major");
    }

    @Test
    void otherTypesGoThroughNd4j() {
        INDArray d = Nd4j.rand(DataType.DOUBLE, 3, 5);
        INDArray back = Npy.read(Npy.write(d));
        assertEquals(DataType.DOUBLE, back.dataType());
        assertEquals(d, back);
    }

    @Test
    void refusesDataOfTheWrongLength() {
        byte[] bytes = Npy.write(values(10, 10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Npy.read(Arrays.copyOf(bytes, bytes.length - 4)));
        assertTrue(e.getMessage().contains("[10, 10]") && e.getMessage().contains("396 bytes follow"), e.getMessage());
    }

    @Test
    void networksRoundTripThroughTheWeightsFormat() throws Exception {
        for (NetworkWeights w : new NetworkWeights[] {GanNetworks.initialGenerator(GanPreset.TINY, 3),
                GanNetworks.initialCritic(GanPreset.TINY, 4)}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            w.write(out);
            NetworkWeights back = NetworkWeights.read(new ByteArrayInputStream(out.toByteArray()), w, "test");
            assertEquals(w.names(), back.names());
            assertArrayEquals(w.flatten(), back.flatten(), 0f);
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            back.write(again);
            assertArrayEquals(out.toByteArray(), again.toByteArray(), "equal weights, equal bytes");
        }
    }

    @Test
    void weightsAreReadIntoTheArraysOfEarlierWeights() throws Exception {
        NetworkWeights earlier = GanNetworks.initialGenerator(GanPreset.TINY, 3);
        NetworkWeights next = GanNetworks.initialGenerator(GanPreset.TINY, 4);
        Map<String, INDArray> arrays = new java.util.HashMap<>(earlier.tensors());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        next.write(out);
        NetworkWeights back = NetworkWeights.readInto(new ByteArrayInputStream(out.toByteArray()), earlier, "test");
        assertSame(earlier, back);
        assertArrayEquals(next.flatten(), back.flatten(), 0f);
        for (String name : back.names()) {
            assertSame(arrays.get(name), back.get(name), name + " read into its old array");
        }
        // Weights of another preset: the same refusal as read's, naming the tensor.
        ByteArrayOutputStream compact = new ByteArrayOutputStream();
        GanNetworks.initialGenerator(GanPreset.COMPACT, 3).write(compact);
        java.io.IOException e = assertThrows(java.io.IOException.class,
                () -> NetworkWeights.readInto(new ByteArrayInputStream(compact.toByteArray()), earlier, "s3://b/g.zip"));
        assertTrue(e.getMessage().startsWith("s3://b/g.zip: tensor ") && e.getMessage().contains("has shape"),
                e.getMessage());
    }

    @Test
    void weightsWithNanOrInfinityAreRefusedButHugeFiniteOnesAreNot() throws Exception {
        NetworkWeights layout = GanNetworks.initialCritic(GanPreset.TINY, 5);
        String tensor = layout.names().get(0);
        for (float bad : new float[] {Float.NaN, Float.NEGATIVE_INFINITY}) {
            NetworkWeights w = layout.copy();
            w.get(tensor).putScalar(1, bad);
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> readBack(w, layout));
            assertTrue(e.getMessage().contains("NaN or infinite"), e.getMessage());
        }
        // Their sum overflows to infinity; the values themselves are finite.
        NetworkWeights huge = layout.copy();
        huge.get(tensor).putScalar(0, Float.MAX_VALUE).putScalar(1, Float.MAX_VALUE);
        assertEquals(Float.MAX_VALUE, readBack(huge, layout).get(tensor).getFloat(1));
    }

    private static NetworkWeights readBack(NetworkWeights w, NetworkWeights layout) throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.write(out);
        return NetworkWeights.read(new ByteArrayInputStream(out.toByteArray()), layout, "test");
    }
}

package dev.fedgan.core.gan;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every weight tensor of one network, in a fixed order: the trainable kernels, biases and batch-norm β, and the
 * batch-norm moving statistics. This is what the server broadcasts and what a client's critic delta covers
 * (reference section 2.3: {@code model.weights}, moving statistics included). The flat form concatenates the
 * tensors in this order, each in row-major order.
 */
public final class NetworkWeights {

    private final LinkedHashMap<String, INDArray> tensors;
    private final List<String> trainable;

    NetworkWeights(LinkedHashMap<String, INDArray> tensors, List<String> trainable) {
        this.tensors = tensors;
        this.trainable = List.copyOf(trainable);
    }

    public INDArray get(String name) {
        INDArray a = tensors.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no weight tensor '" + name + "' (have " + tensors.keySet() + ")");
        }
        return a;
    }

    public Map<String, INDArray> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /** Names of the tensors an optimiser updates (everything except the moving statistics). */
    public List<String> trainable() {
        return trainable;
    }

    /** Number of scalars over all tensors. */
    public long length() {
        long n = 0;
        for (INDArray a : tensors.values()) {
            n += a.length();
        }
        return n;
    }

    public long trainableLength() {
        long n = 0;
        for (String name : trainable) {
            n += tensors.get(name).length();
        }
        return n;
    }

    public NetworkWeights copy() {
        LinkedHashMap<String, INDArray> c = new LinkedHashMap<>();
        tensors.forEach((k, v) -> c.put(k, v.dup()));
        return new NetworkWeights(c, trainable);
    }

    /** A copy in another floating-point type (float64 for gradient checks). */
    public NetworkWeights castTo(DataType type) {
        LinkedHashMap<String, INDArray> c = new LinkedHashMap<>();
        tensors.forEach((k, v) -> c.put(k, v.castTo(type).dup()));
        return new NetworkWeights(c, trainable);
    }

    /** All tensors flattened into one float vector (the client delta's form). */
    public float[] flatten() {
        long n = length();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalStateException("network too large to flatten: " + n + " weights");
        }
        float[] out = new float[(int) n];
        int at = 0;
        for (INDArray a : tensors.values()) {
            INDArray c = rowMajor(a.castTo(DataType.FLOAT)); // castTo is a no-op for float arrays
            int size = Math.toIntExact(c.length());
            c.data().asNioFloat().get(out, at, size);
            at += size;
        }
        return out;
    }

    /** {@code a} itself if its buffer holds exactly its values in row-major order, else such a copy. */
    static INDArray rowMajor(INDArray a) {
        return holdsRowMajor(a) ? a : a.dup('c');
    }

    /**
     * Whether {@code a}'s buffer holds exactly its values, in row-major order. SameDiff's variables are views of a
     * buffer of their own size at offset 0: they qualify. Copying them (ND4J allocates and zeroes the copy) would
     * make every checkpoint, flatten and read pay for a second copy of the network.
     */
    static boolean holdsRowMajor(INDArray a) {
        return a.ordering() == 'c' && a.offset() == 0 && a.data().length() == a.length()
                && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(a);
    }

    /** {@code this - base}, flattened: what a client sends. */
    public float[] minus(NetworkWeights base) {
        requireSameLayout(base);
        float[] a = flatten();
        float[] b = base.flatten();
        for (int i = 0; i < a.length; i++) {
            a[i] -= b[i];
        }
        return a;
    }

    /** Adds a flat vector (in {@link #flatten()} order) to every tensor in place: the server's θ ← θ + Δ̄. */
    public void add(float[] flat) {
        if (flat.length != length()) {
            throw new IllegalArgumentException("update has " + flat.length + " values, the network has " + length());
        }
        int at = 0;
        for (INDArray a : tensors.values()) {
            int n = (int) a.length();
            INDArray part = Nd4j.createFromArray(Arrays.copyOfRange(flat, at, at + n)).castTo(a.dataType()).reshape(a.shape());
            a.addi(part);
            at += n;
        }
    }

    /** True when any weight is NaN or infinite. */
    private boolean hasNonFinite() {
        for (INDArray a : tensors.values()) {
            // One pass: a finite sum has no NaN or infinity in it; a sum that overflowed gets the exact check.
            boolean finiteSum = Double.isFinite(a.sumNumber().doubleValue());
            if (!finiteSum && (a.isInfinite().any() || a.isNaN().any())) {
                return true;
            }
        }
        return false;
    }

    void requireSameLayout(NetworkWeights other) {
        if (!tensors.keySet().equals(other.tensors.keySet())) {
            throw new IllegalArgumentException("weights have tensors " + other.tensors.keySet() + ", expected " + tensors.keySet());
        }
        for (var e : tensors.entrySet()) {
            long[] s = other.tensors.get(e.getKey()).shape();
            if (!Arrays.equals(s, e.getValue().shape())) {
                throw new IllegalArgumentException("tensor " + e.getKey() + " has shape " + Arrays.toString(s)
                        + ", expected " + Arrays.toString(e.getValue().shape()));
            }
        }
    }

    /**
     * Writes the tensors as a zip of {@code .npy} files (numpy can read each one), plus {@code order.txt};
     * byte-identical for identical weights.
     */
    public void write(OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        byte[] chunk = new byte[1 << 20];
        for (var e : tensors.entrySet()) {
            ByteBuffer values = Npy.float32Values(e.getValue());
            if (values != null) { // the tensor's own memory, not copied into an array first
                stored(zip, e.getKey() + ".npy", Npy.header(e.getValue().shape()), values, chunk);
            } else {
                stored(zip, e.getKey() + ".npy", Npy.write(e.getValue()), NO_BYTES, chunk);
            }
        }
        StringBuilder order = new StringBuilder();
        for (String name : tensors.keySet()) {
            order.append(name).append(trainable.contains(name) ? " trainable" : " statistic").append('\n');
        }
        stored(zip, "order.txt", order.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), NO_BYTES, chunk);
        zip.finish();
    }

    private static final ByteBuffer NO_BYTES = ByteBuffer.allocate(0);

    /**
     * One uncompressed entry, {@code head} then {@code body}, with a fixed time: equal weights give equal bytes
     * (content-addressed storage relies on it), and no time goes into deflating floats, which hardly compress.
     * The body is copied through {@code chunk}.
     */
    private static void stored(ZipOutputStream zip, String name, byte[] head, ByteBuffer body, byte[] chunk)
            throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTimeLocal(java.time.LocalDateTime.of(1980, 1, 1, 0, 0));
        e.setMethod(ZipEntry.STORED);
        long size = head.length + (long) body.remaining();
        e.setSize(size);
        e.setCompressedSize(size);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(head);
        crc.update(body.duplicate());
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(head);
        for (ByteBuffer b = body.duplicate(); b.hasRemaining(); ) {
            int n = Math.min(chunk.length, b.remaining());
            b.get(chunk, 0, n);
            zip.write(chunk, 0, n);
        }
        zip.closeEntry();
    }

    /**
     * Reads weights written by {@link #write}, checking them against {@code expected}'s layout (names and shapes):
     * a checkpoint of another preset, a truncated file or non-finite values fail with the reason and the source.
     */
    public static NetworkWeights read(InputStream in, NetworkWeights expected, String source) throws IOException {
        return read(in, expected, false, source);
    }

    /**
     * {@link #read} into {@code target}'s own arrays instead of new ones (a client-update reads every round's
     * broadcast into the arrays of an earlier round's: 80 MB of native memory not allocated, zeroed and faulted in
     * again); returns {@code target}. The same checks; after a failure the target's values are undefined.
     */
    public static NetworkWeights readInto(InputStream in, NetworkWeights target, String source) throws IOException {
        return read(in, target, true, source);
    }

    private static NetworkWeights read(InputStream in, NetworkWeights expected, boolean inPlace, String source)
            throws IOException {
        Map<String, INDArray> found = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(in)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                if (e.getName().endsWith(".npy")) {
                    String name = e.getName().substring(0, e.getName().length() - 4);
                    found.put(name, Npy.read(zip.readAllBytes(), inPlace ? expected.tensors.get(name) : null));
                }
            }
        } catch (RuntimeException | IOException ex) {
            throw new IOException(source + ": corrupt weights (" + ex.getMessage() + ")", ex);
        }
        LinkedHashMap<String, INDArray> ordered = new LinkedHashMap<>();
        for (String name : expected.names()) {
            INDArray a = found.get(name);
            INDArray own = expected.get(name);
            if (a == null) {
                throw new IOException(source + ": missing tensor " + name + " (found " + found.keySet() + ")");
            }
            if (!Arrays.equals(a.shape(), own.shape())) {
                throw new IOException(source + ": tensor " + name + " has shape " + Arrays.toString(a.shape())
                        + ", expected " + Arrays.toString(own.shape()));
            }
            if (!inPlace) {
                ordered.put(name, a.castTo(own.dataType())); // a itself when the type fits
            } else if (a != own) {
                own.assign(a); // a type or memory order Npy.read does not write into
            }
        }
        NetworkWeights w = inPlace ? expected : new NetworkWeights(ordered, expected.trainable);
        if (w.hasNonFinite()) {
            throw new IOException(source + ": weights contain NaN or infinite values");
        }
        return w;
    }

    /** Builder used by {@link GanNetworks}. */
    static final class Builder {
        private final LinkedHashMap<String, INDArray> tensors = new LinkedHashMap<>();
        private final List<String> trainable = new ArrayList<>();

        Builder trainable(String name, INDArray value) {
            tensors.put(name, value);
            trainable.add(name);
            return this;
        }

        Builder statistic(String name, INDArray value) {
            tensors.put(name, value);
            return this;
        }

        NetworkWeights build() {
            return new NetworkWeights(tensors, trainable);
        }
    }
}

package dev.fedgan.core.gan;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * numpy's {@code .npy} format (version 1.0) for the weight files, float32 tensors copied in one piece between the
 * file's bytes and the array's buffer. The bytes are the ones {@link Nd4j#toNpyByteArray} writes (numpy's header);
 * that path copies each tensor three times more and grows its buffer by doubling, which makes storing and loading
 * the reference networks' 80 MB a visible part of every round. Other types, and headers this
 * class does not write, go through ND4J's own reader and writer.
 */
final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    private static final Pattern FLOAT32_HEADER = Pattern.compile(
            "\\{'descr': '<f4', 'fortran_order': False, 'shape': \\(([0-9, ]*)\\), \\} *\n");

    private Npy() {
    }

    /**
     * A float32 tensor's values as a {@code .npy} file holds them after {@link #header}, little-endian in row-major
     * order, as a view of the tensor's own memory (valid while the tensor is); null when that memory does not hold
     * them so (another type or order, a view into a larger buffer, a big-endian machine): use {@link #write}.
     */
    static ByteBuffer float32Values(INDArray a) {
        if (a.dataType() != DataType.FLOAT || !NetworkWeights.holdsRowMajor(a)
                || ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            return null;
        }
        return a.data().asNio().order(ByteOrder.LITTLE_ENDIAN).limit(Math.toIntExact(4 * a.length()));
    }

    /** The tensor as {@code .npy} bytes. */
    static byte[] write(INDArray a) {
        if (a.dataType() != DataType.FLOAT) {
            return Nd4j.toNpyByteArray(a.dup('c'));
        }
        INDArray c = NetworkWeights.rowMajor(a);
        byte[] header = header(c.shape());
        byte[] out = new byte[header.length + 4 * Math.toIntExact(c.length())];
        System.arraycopy(header, 0, out, 0, header.length);
        ByteBuffer.wrap(out, header.length, out.length - header.length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                .put(c.data().asNioFloat());
        return out;
    }

    /** A new array of its own from {@code .npy} bytes (float32 row-major in one copy; anything else through ND4J). */
    static INDArray read(byte[] bytes) {
        return read(bytes, null);
    }

    /**
     * The {@code .npy} bytes' values in {@code into} when it fits (float32 of the same shape, holding its values in
     * row-major order in its own buffer), else as {@link #read(byte[])}: the caller compares the shape it gets.
     */
    static INDArray read(byte[] bytes, INDArray into) {
        boolean npy = bytes.length >= MAGIC.length + 2 && Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
        int headerLength = npy ? (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8 : -1;
        int dataStart = MAGIC.length + 2 + headerLength;
        Matcher m = !npy || dataStart > bytes.length ? null : FLOAT32_HEADER.matcher(
                new String(bytes, MAGIC.length + 2, headerLength, StandardCharsets.ISO_8859_1));
        if (m == null || !m.matches()) {
            return Nd4j.createNpyFromByteArray(bytes).dup();
        }
        long[] shape = shape(m.group(1));
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (4 * n != bytes.length - dataStart) {
            throw new IllegalArgumentException("npy header says shape " + Arrays.toString(shape) + " (" + 4 * n
                    + " bytes of float32) but " + (bytes.length - dataStart) + " bytes follow");
        }
        boolean fits = into != null && into.dataType() == DataType.FLOAT && Arrays.equals(into.shape(), shape)
                && NetworkWeights.holdsRowMajor(into);
        INDArray a = fits ? into : Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        a.data().asNioFloat().put(ByteBuffer.wrap(bytes, dataStart, bytes.length - dataStart)
                .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
        return a;
    }

    /**
     * Magic, version, header length and the header dict as numpy writes it: room for the first dimension to grow to
     * 21 digits, then spaces and a newline up to a multiple of 64 bytes.
     */
    static byte[] header(long[] shape) {
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(dims.isEmpty() ? "" : ", ").append(d);
        }
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + (shape.length == 1 ? "," : "")
                + "), }" + (shape.length == 0 ? "" : " ".repeat(21 - Long.toString(shape[0]).length()));
        int length = dict.length() + 1;
        String text = dict + " ".repeat(64 - (MAGIC.length + 2 + length) % 64) + "\n";
        byte[] out = new byte[MAGIC.length + 2 + text.length()];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        out[8] = (byte) text.length();
        out[9] = (byte) (text.length() >>> 8);
        System.arraycopy(text.getBytes(StandardCharsets.ISO_8859_1), 0, out, MAGIC.length + 2, text.length());
        return out;
    }

    private static long[] shape(String dims) {
        return Arrays.stream(dims.split(",")).map(String::strip).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong)
                .toArray();
    }
}

package dev.fedgan.core.data;

import java.util.Arrays;

/**
 * One writer's (one user's, one phone's) examples in fedgan's internal form: 28x28 grayscale images, row-major,
 * pixels in [-1, 1] with background -1 and ink +1 (reference section 8), and one class label per image.
 *
 * @param id     the writer id, e.g. {@code f0000_14}
 * @param pixels {@code size() * 784} floats, image i at offset {@code i * 784}
 * @param labels one label per image, already folded to the dataset's classes
 */
public record WriterData(String id, float[] pixels, int[] labels) {

    public static final int SIDE = 28;
    public static final int PIXELS = SIDE * SIDE;

    public WriterData {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("writer id must not be empty");
        }
        if (pixels.length != labels.length * PIXELS) {
            throw new IllegalArgumentException("writer " + id + ": " + pixels.length + " pixels for "
                    + labels.length + " labels (expected " + labels.length * PIXELS + ")");
        }
    }

    public int size() {
        return labels.length;
    }

    /** The examples at the given indices, in the order given (the by_example filter's "keep only these"). */
    public WriterData select(int[] indices) {
        float[] px = new float[indices.length * PIXELS];
        int[] lb = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            if (i < 0 || i >= size()) {
                throw new IndexOutOfBoundsException("writer " + id + ": example index " + i + " not in [0, " + size() + ")");
            }
            System.arraycopy(pixels, i * PIXELS, px, k * PIXELS, PIXELS);
            lb[k] = labels[i];
        }
        return new WriterData(id, px, lb);
    }

    /** The inversion bug applied to every image of this writer: each preprocessed pixel multiplied by -1. */
    public WriterData inverted() {
        return new WriterData(id, invert(pixels), labels);
    }

    /** The inversion bug on preprocessed pixels: a copy with each multiplied by -1. */
    public static float[] invert(float[] pixels) {
        float[] px = new float[pixels.length];
        for (int i = 0; i < px.length; i++) {
            px[i] = -pixels[i];
        }
        return px;
    }

    /** Mean pixel value over all images: about -0.7 for normal digits, +0.7 for inverted ones. */
    public double meanPixel() {
        double s = 0;
        for (float v : pixels) {
            s += v;
        }
        return pixels.length == 0 ? 0 : s / pixels.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WriterData w && id.equals(w.id) && Arrays.equals(labels, w.labels)
                && Arrays.equals(pixels, w.pixels);
    }

    @Override
    public int hashCode() {
        return id.hashCode() * 31 + Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return "WriterData[" + id + ", " + size() + " examples]";
    }
}

package dev.fedgan.core.data;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A federated dataset in the internal form: writers (sorted by id, ids unique) each holding their examples.
 * Every loader produces this, and everything downstream (classifier, bug, measurement, GANs) consumes it.
 *
 * @param name       short human name, e.g. {@code bundled:field} or the file name
 * @param source     where it came from (path or resource), used in error messages and provenance
 * @param format     the format it was read from
 * @param convention the pixel convention of the source, already mapped to the internal form
 * @param numClasses 10 for digits, 36 for (folded) EMNIST-62
 * @param writers    the writers, sorted by id
 */
public record FederatedDataset(String name, String source, DatasetFormat format, PixelConvention convention,
                               int numClasses, List<WriterData> writers) {

    public FederatedDataset {
        List<WriterData> sorted = new ArrayList<>(writers);
        sorted.sort((a, b) -> a.id().compareTo(b.id()));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).id().equals(sorted.get(i - 1).id())) {
                throw new DatasetException(source, sorted.get(i).id(), "duplicate writer id");
            }
        }
        for (WriterData w : sorted) {
            if (w.size() == 0) {
                throw new DatasetException(source, w.id(), "writer has no examples");
            }
            for (int i = 0; i < w.size(); i++) {
                if (w.labels()[i] < 0 || w.labels()[i] >= numClasses) {
                    throw new DatasetException(source, w.id(), "label " + w.labels()[i] + " at example " + i
                            + " is out of range 0.." + (numClasses - 1));
                }
            }
        }
        writers = Collections.unmodifiableList(sorted);
    }

    public int numWriters() {
        return writers.size();
    }

    public long numExamples() {
        long n = 0;
        for (WriterData w : writers) {
            n += w.size();
        }
        return n;
    }

    /** Writers by id, in id order. */
    public Map<String, WriterData> byId() {
        Map<String, WriterData> m = new LinkedHashMap<>();
        for (WriterData w : writers) {
            m.put(w.id(), w);
        }
        return m;
    }

    /** The same dataset with every writer transformed (e.g. the inversion bug), under a new name. */
    public FederatedDataset mapWriters(String newName, UnaryOperator<WriterData> f) {
        List<WriterData> out = new ArrayList<>(writers.size());
        for (WriterData w : writers) {
            out.add(f.apply(w));
        }
        return new FederatedDataset(newName, source, format, convention, numClasses, out);
    }

    /** Only the writers whose ids are listed (a population); unknown ids are an error. */
    public FederatedDataset restrictTo(String newName, Iterable<String> ids) {
        Map<String, WriterData> all = byId();
        List<WriterData> out = new ArrayList<>();
        for (String id : ids) {
            WriterData w = all.get(id);
            if (w == null) {
                throw new DatasetException(source, id, "writer is not in dataset " + name);
            }
            out.add(w);
        }
        return new FederatedDataset(newName, source, format, convention, numClasses, out);
    }

    /** The writers with at least {@code minExamples} examples, in their order. */
    public FederatedDataset withAtLeast(int minExamples) {
        List<WriterData> out = new ArrayList<>();
        for (WriterData w : writers()) {
            if (w.size() >= minExamples) {
                out.add(w);
            }
        }
        return out.size() == numWriters() ? this
                : new FederatedDataset(name, source, format, convention, numClasses, out);
    }

    /**
     * Splits the writers (not their examples) into two datasets: a seeded {@code fraction} of them, at least one,
     * goes to the second. Used to hold out test writers when no separate test data is given.
     */
    public FederatedDataset[] splitWriters(double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("held-out fraction must be in (0, 1), got " + fraction);
        }
        if (writers.size() < 2) {
            throw new DatasetException(source, null, "needs at least 2 writers to hold some out, has " + writers.size());
        }
        List<WriterData> shuffled = new ArrayList<>(writers);
        Collections.shuffle(shuffled, new java.util.Random(seed));
        int held = Math.max(1, Math.min(writers.size() - 1, (int) Math.round(fraction * writers.size())));
        return new FederatedDataset[] {
            new FederatedDataset(name + ":train", source, format, convention, numClasses, shuffled.subList(held, shuffled.size())),
            new FederatedDataset(name + ":heldout", source, format, convention, numClasses, shuffled.subList(0, held))};
    }

    /** The first {@code n} images (fewer if the dataset is smaller), writer after writer, as n·784 floats. */
    public float[] firstImages(int n) {
        float[] out = new float[Math.toIntExact(Math.min(n, numExamples())) * WriterData.PIXELS];
        int at = 0;
        for (WriterData w : writers) {
            int take = Math.min(w.size(), out.length / WriterData.PIXELS - at);
            System.arraycopy(w.pixels(), 0, out, at * WriterData.PIXELS, take * WriterData.PIXELS);
            at += take;
        }
        return out;
    }

    /** Every example's label, writer after writer (the order of {@link #firstImages} over all examples). */
    public int[] allLabels() {
        int[] out = new int[Math.toIntExact(numExamples())];
        int at = 0;
        for (WriterData w : writers) {
            System.arraycopy(w.labels(), 0, out, at, w.size());
            at += w.size();
        }
        return out;
    }

    /** Per-class example counts. */
    public long[] classCounts() {
        long[] c = new long[numClasses];
        for (WriterData w : writers) {
            for (int l : w.labels()) {
                c[l]++;
            }
        }
        return c;
    }

    /** Mean internal pixel value over all examples (about -0.7 for normal digits, +0.7 for inverted). */
    public double meanPixel() {
        double s = 0;
        long n = 0;
        for (WriterData w : writers) {
            for (float v : w.pixels()) {
                s += v;
            }
            n += w.pixels().length;
        }
        return n == 0 ? 0 : s / n;
    }

    /**
     * SHA-256 over writer ids, labels and pixel bits in writer order: identifies exactly the data a model was
     * trained or measured on (recorded in provenance files).
     */
    public String fingerprint() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocate(WriterData.PIXELS * 4);
            for (WriterData w : writers) {
                md.update(w.id().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                for (int i = 0; i < w.size(); i++) {
                    buf.clear();
                    buf.putInt(w.labels()[i]);
                    md.update(buf.array(), 0, 4);
                    buf.clear();
                    for (int p = 0; p < WriterData.PIXELS; p++) {
                        buf.putFloat(w.pixels()[i * WriterData.PIXELS + p]);
                    }
                    md.update(buf.array());
                }
            }
            return "sha256:" + HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

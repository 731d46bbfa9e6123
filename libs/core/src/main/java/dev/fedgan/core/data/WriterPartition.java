package dev.fedgan.core.data;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Splits data without writer ids (IDX files, the bundled digits) into synthetic writers, reproducibly from a
 * seed: writer sizes vary log-normally around the mean ({@code sizeSpread} = sigma, 0 = equal sizes), and each
 * writer's class mix is either i.i.d. ({@code labelSkew} = infinity) or drawn from a symmetric Dirichlet(alpha)
 * (small alpha = few classes per writer).
 */
public final class WriterPartition {

    /**
     * @param examplesPerWriter mean writer size; the number of writers is {@code round(n / examplesPerWriter)}
     * @param labelSkew         Dirichlet concentration; {@code Double.POSITIVE_INFINITY} for i.i.d. writers
     * @param sizeSpread        sigma of the log-normal size spread, 0 for equal sizes
     * @param minExamples       smallest writer
     * @param seed              partition seed
     */
    public record Options(int examplesPerWriter, double labelSkew, double sizeSpread, int minExamples, long seed) {

        /** 40 examples per writer (the bundled field digits give 100 writers), i.i.d. labels, moderate spread. */
        public static final Options DEFAULT = new Options(40, Double.POSITIVE_INFINITY, 0.5, 10, 1);

        public Options {
            if (examplesPerWriter < 1) {
                throw new IllegalArgumentException("examples per writer must be >= 1, got " + examplesPerWriter);
            }
            if (!(labelSkew > 0)) {
                throw new IllegalArgumentException("label skew (Dirichlet alpha) must be > 0, got " + labelSkew);
            }
            if (!(sizeSpread >= 0 && sizeSpread <= 3)) {
                throw new IllegalArgumentException("size spread must be in [0, 3], got " + sizeSpread);
            }
            if (minExamples < 1 || minExamples > examplesPerWriter) {
                throw new IllegalArgumentException("minimum writer size must be in [1, " + examplesPerWriter + "], got " + minExamples);
            }
        }

        public int writersFor(int n) {
            return Math.max(1, (int) Math.round((double) n / examplesPerWriter));
        }
    }

    private WriterPartition() {
    }

    public static FederatedDataset partition(String name, DatasetFormat format, IdxReader.Examples examples, Options o) {
        int n = examples.size();
        int k = o.writersFor(n);
        if (n == 0) {
            throw new DatasetException(examples.source(), null, "contains no examples");
        }
        int min = Math.min(o.minExamples(), n / k);
        SplittableRandom rng = new SplittableRandom(o.seed());
        int[] sizes = sizes(n, k, min, o.sizeSpread(), rng);
        int[][] members = Double.isInfinite(o.labelSkew())
                ? iid(n, sizes, rng)
                : skewed(examples.labels(), sizes, o.labelSkew(), rng);
        DatasetAssembler out = new DatasetAssembler(examples.source(), PixelConvention.INK_ON_BLACK);
        String fmt = "w%0" + String.valueOf(k - 1).length() + "d";
        for (int w = 0; w < k; w++) {
            int[] idx = members[w];
            float[] px = new float[idx.length * WriterData.PIXELS];
            long[] lb = new long[idx.length];
            for (int j = 0; j < idx.length; j++) {
                System.arraycopy(examples.pixels(), idx[j] * WriterData.PIXELS, px, j * WriterData.PIXELS, WriterData.PIXELS);
                lb[j] = examples.labels()[idx[j]];
            }
            out.add(examples.source(), String.format(fmt, w), px, lb);
        }
        return out.build(name, format);
    }

    static int[] sizes(int n, int k, int min, double spread, SplittableRandom rng) {
        double[] w = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            w[i] = spread == 0 ? 1 : Math.exp(spread * gaussian(rng));
            sum += w[i];
        }
        int free = n - k * min;
        int[] s = new int[k];
        double[] frac = new double[k];
        int used = 0;
        for (int i = 0; i < k; i++) {
            double share = free * w[i] / sum;
            s[i] = min + (int) Math.floor(share);
            frac[i] = share - Math.floor(share);
            used += s[i];
        }
        // Hand out the remainder to the largest fractional parts (ties: lowest index).
        for (int r = n - used; r > 0; r--) {
            int best = 0;
            for (int i = 1; i < k; i++) {
                if (frac[i] > frac[best]) {
                    best = i;
                }
            }
            s[best]++;
            frac[best] = -1;
        }
        return s;
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates), reproducible from {@code rng}. */
    public static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static int[][] iid(int n, int[] sizes, SplittableRandom rng) {
        int[] p = permutation(n, rng);
        int[][] out = new int[sizes.length][];
        int at = 0;
        for (int w = 0; w < sizes.length; w++) {
            out[w] = java.util.Arrays.copyOfRange(p, at, at + sizes[w]);
            at += sizes[w];
        }
        return out;
    }

    /**
     * Deals the examples to writers of the given sizes, each writer's class mix drawn from a symmetric
     * Dirichlet(alpha) and filled from the classes' pools (a used-up class gives way to the others).
     */
    static int[][] skewed(long[] labels, int[] sizes, double alpha, SplittableRandom rng) {
        int classes = 0;
        for (long l : labels) {
            classes = (int) Math.max(classes, l + 1);
        }
        List<Deque<Integer>> pools = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            pools.add(new ArrayDeque<>());
        }
        for (int i : permutation(labels.length, rng)) {
            pools.get((int) labels[i]).add(i);
        }
        int[][] out = new int[sizes.length][];
        double[] q = new double[classes];
        for (int w = 0; w < sizes.length; w++) {
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                q[c] = gamma(alpha, rng);
                sum += q[c];
            }
            out[w] = new int[sizes[w]];
            for (int j = 0; j < sizes[w]; j++) {
                double avail = 0;
                for (int c = 0; c < classes; c++) {
                    avail += pools.get(c).isEmpty() ? 0 : q[c];
                }
                int pick = -1;
                if (avail > 0) {
                    double u = rng.nextDouble() * avail;
                    for (int c = 0; c < classes && pick < 0; c++) {
                        if (!pools.get(c).isEmpty()) {
                            u -= q[c];
                            if (u <= 0) {
                                pick = c;
                            }
                        }
                    }
                }
                if (pick < 0) { // the writer's favoured classes are used up (or rounding): take any non-empty pool
                    for (int c = 0; c < classes && pick < 0; c++) {
                        if (!pools.get(c).isEmpty()) {
                            pick = c;
                        }
                    }
                }
                out[w][j] = pools.get(pick).poll();
            }
        }
        return out;
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** Gamma(shape, 1) by Marsaglia and Tsang; shape < 1 via the boost Gamma(a+1) * U^(1/a). */
    static double gamma(double shape, SplittableRandom rng) {
        if (shape < 1) {
            return gamma(shape + 1, rng) * Math.pow(1.0 - rng.nextDouble(), 1.0 / shape);
        }
        double d = shape - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x, v;
            do {
                x = gaussian(rng);
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = 1.0 - rng.nextDouble();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }
}

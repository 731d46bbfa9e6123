package dev.fedgan.core.privacy;

import java.util.stream.IntStream;

/**
 * Gaussian noise for the DP aggregate: adds independent N(0, std²) to every coordinate of an array.
 *
 * <p><b>Secure by default</b> ({@link #secure()}): the random bits are an AES-256-CTR keystream ({@link AesCtr})
 * under a key drawn fresh for every call from the JDK's DRBG, which the operating system seeds. Each normal is made
 * in double precision by Marsaglia's polar method from pairs of 53-bit uniforms (rejection: a pair
 * of uniforms yields two normals with probability π/4; no trigonometric functions), and each coordinate's noise is
 * {@code std · (N₁ + N₂ + N₃ + N₄) / 2} with four independent standard normals, which again has variance std², before
 * it is added (in double) and rounded once to float. The sum of four follows Holohan &amp; Braghin, "Secure Random
 * Sampling in Differential Privacy", ESORICS 2021 (arXiv 2107.10138, section 5.1), as Opacus does in its
 * {@code secure_mode} ({@code opacus/optimizers/optimizer.py}, {@code _generate_noise}: four {@code torch.normal}
 * samples summed and divided by 2); it defeats Mironov's attack on the low-order bits of floating-point Gaussian
 * samples (CCS 2012), whose cost grows to about 2^(53·(2n−1)) = 2^159 for n = 2. Unlike Opacus we do not draw and
 * discard a first sample: every call uses a new key.
 *
 * <p><b>Seeded mode</b> ({@link #seeded(long)}) runs the same algorithm with the key SHA-256 of the seed, for
 * reproducible tests and experiments only: whoever knows the seed can subtract the noise, so it gives no privacy.
 * {@link #isSeeded()} and {@link #description()} say which mode is in use; reports must carry it.
 *
 * <p>The array is cut into chunks of {@value #CHUNK} coordinates; chunk c of a call uses the keystream of nonce
 * (position + c) from block 0, so chunks are independent sub-streams that run in parallel, and the values depend
 * only on (key, position, index), never on the number of threads. A seeded generator advances its position by the
 * number of chunks of each call; {@link #state()} saves it and {@link #restore(SeededState)} resumes the stream.
 * Instances are thread-safe; concurrent calls get disjoint chunks.
 */
public final class GaussianNoise {

    /** The stream name in {@link SeededState}. */
    public static final String STREAM = "gaussian-noise";
    /** Coordinates per independent sub-stream. Part of the seeded stream's definition: changing it changes values. */
    public static final int CHUNK = 1 << 16;
    private static final String DOMAIN = "fedgan/gaussian-noise/aes-256-ctr/polar/sum4/v1";

    private final boolean seeded;
    private final long seed;
    private final byte[] seededKey;
    private long position;
    private volatile boolean parallel = true;

    private GaussianNoise(boolean seeded, long seed, long position) {
        this.seeded = seeded;
        this.seed = seed;
        this.seededKey = seeded ? AesCtr.seededKey(DOMAIN, seed) : null;
        this.position = position;
    }

    /** The default: cryptographically secure noise, a fresh key per call. */
    public static GaussianNoise secure() {
        return new GaussianNoise(false, 0, 0);
    }

    /** Reproducible noise for tests and experiments; not private. */
    public static GaussianNoise seeded(long seed) {
        return new GaussianNoise(true, seed, 0);
    }

    /** Resumes a seeded stream where {@link #state()} left it. */
    public static GaussianNoise restore(SeededState state) {
        if (!STREAM.equals(state.stream())) {
            throw new IllegalArgumentException("state belongs to stream '" + state.stream() + "', not '" + STREAM + "'");
        }
        return new GaussianNoise(true, state.seed(), state.position());
    }

    /** Whether this is the reproducible (non-private) mode. */
    public boolean isSeeded() {
        return seeded;
    }

    /** A one-line description of the mode for reports. */
    public String description() {
        String algo = "AES-256-CTR keystream, polar method on 53-bit uniforms, (N1+N2+N3+N4)/2 per coordinate";
        return seeded
                ? "seeded (reproducible, NOT private; seed " + seed + "): " + algo
                : "secure (fresh key per call from " + AesCtr.entropySource() + "): " + algo;
    }

    /** The seeded stream's position to save with a checkpoint; {@code null} in secure mode (nothing to restore). */
    public synchronized SeededState state() {
        return seeded ? new SeededState(STREAM, seed, position) : null;
    }

    /** Whether calls spread chunks over the fork-join pool (default true); values are the same either way. */
    public GaussianNoise parallel(boolean on) {
        this.parallel = on;
        return this;
    }

    /** Adds N(0, std²) to every coordinate; each sum is computed in double and rounded once to float. */
    public void addTo(float[] target, double std) {
        run(target.length, std, (c, from, to, noise) -> {
            for (int i = from; i < to; i++) {
                target[i] = (float) (target[i] + noise[i - from]);
            }
        });
    }

    /** Adds N(0, std²) to every coordinate, in double. */
    public void addTo(double[] target, double std) {
        run(target.length, std, (c, from, to, noise) -> {
            for (int i = from; i < to; i++) {
                target[i] += noise[i - from];
            }
        });
    }

    /** A fresh array of n independent N(0, std²) samples. */
    public double[] sample(int n, double std) {
        double[] out = new double[n];
        addTo(out, std);
        return out;
    }

    private interface Sink {
        void accept(int chunk, int from, int to, double[] noise);
    }

    private void run(int n, double std, Sink sink) {
        if (!(std >= 0) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("noise std must be finite and >= 0, got " + std);
        }
        int chunks = (n + CHUNK - 1) / CHUNK;
        byte[] key;
        long first;
        if (seeded) {
            synchronized (this) {
                first = position;
                position += chunks;
            }
            key = seededKey;
        } else {
            key = AesCtr.freshKey();
            first = 0;
        }
        if (std == 0 || n == 0) {
            return; // the stream still advances, so a zero-noise round keeps later rounds' values unchanged
        }
        IntStream range = IntStream.range(0, chunks);
        (parallel ? range.parallel() : range).forEach(c -> {
            int from = c * CHUNK;
            int to = Math.min(n, from + CHUNK);
            double[] noise = new double[to - from];
            chunk(key, first + c, noise, std);
            sink.accept(c, from, to, noise);
        });
    }

    /**
     * Fills {@code out} with the noise of sub-stream {@code nonce}: per coordinate two accepted pairs of Marsaglia's
     * polar method (four independent standard normals), summed, times std/2.
     */
    private static void chunk(byte[] key, long nonce, double[] out, double std) {
        AesCtr ctr = new AesCtr(key, nonce, 0);
        double half = 0.5 * std;
        for (int k = 0; k < out.length; k++) {
            double sum4 = 0;
            for (int pair = 0; pair < 2; pair++) {
                double u;
                double v;
                double s;
                do {
                    u = 2 * AesCtr.uniformClosedOpen(ctr.nextLong()) - 1; // [-1, 1) in steps of 2^-52
                    v = 2 * AesCtr.uniformClosedOpen(ctr.nextLong()) - 1;
                    s = u * u + v * v;
                } while (s >= 1 || s == 0);
                double f = Math.sqrt(-2 * Math.log(s) / s);
                sum4 += u * f + v * f;
            }
            out[k] = half * sum4;
        }
    }
}

package dev.fedgan.core.privacy;

/**
 * Draws the clients of a round: m distinct indices of [0, N), uniformly without replacement (the reference's
 * {@code np.random.choice(..., replace=False)}, section 4 step 1; not Poisson sampling), by a partial Fisher-Yates
 * shuffle whose swaps take uniform integers from an AES-256-CTR keystream ({@link AesCtr}) by rejection, so every
 * m-subset (and every order) is exactly equally likely.
 *
 * <p>{@link #secure()} (the default) keys the stream afresh from the JDK's DRBG on every call; {@link #seeded(long)}
 * is reproducible (key = SHA-256 of the seed) and not private. Each call of a seeded sampler starts at the block
 * after the last one the previous call touched, so {@link #state()} / {@link #restore(SeededState)} resume the
 * identical sequence of draws. Thread-safe.
 */
public final class ClientSampler {

    /** The stream name in {@link SeededState}. */
    public static final String STREAM = "client-sampler";
    private static final String DOMAIN = "fedgan/client-sampler/aes-256-ctr/fisher-yates/v1";

    private final boolean seeded;
    private final long seed;
    private final byte[] seededKey;
    private long position;

    private ClientSampler(boolean seeded, long seed, long position) {
        this.seeded = seeded;
        this.seed = seed;
        this.seededKey = seeded ? AesCtr.seededKey(DOMAIN, seed) : null;
        this.position = position;
    }

    /** The default: a fresh key per call from the operating system's entropy. */
    public static ClientSampler secure() {
        return new ClientSampler(false, 0, 0);
    }

    /** Reproducible sampling for tests and experiments; not private. */
    public static ClientSampler seeded(long seed) {
        return new ClientSampler(true, seed, 0);
    }

    /** Resumes a seeded sampler where {@link #state()} left it. */
    public static ClientSampler restore(SeededState state) {
        if (!STREAM.equals(state.stream())) {
            throw new IllegalArgumentException("state belongs to stream '" + state.stream() + "', not '" + STREAM + "'");
        }
        return new ClientSampler(true, state.seed(), state.position());
    }

    /** Whether this is the reproducible (non-private) mode. */
    public boolean isSeeded() {
        return seeded;
    }

    /** A one-line description of the mode for reports. */
    public String description() {
        String algo = "partial Fisher-Yates, AES-256-CTR keystream, rejection-sampled integers";
        return seeded
                ? "seeded (reproducible, NOT private; seed " + seed + "): " + algo
                : "secure (fresh key per call from " + AesCtr.entropySource() + "): " + algo;
    }

    /** The seeded stream's position to save with a checkpoint; {@code null} in secure mode (nothing to restore). */
    public synchronized SeededState state() {
        return seeded ? new SeededState(STREAM, seed, position) : null;
    }

    /**
     * m distinct indices of [0, n), uniformly at random, in the (random) order drawn.
     *
     * @throws IllegalArgumentException unless 0 &lt; m &le; n
     */
    public int[] sample(int m, int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("population size n must be > 0, got " + n);
        }
        if (m <= 0 || m > n) {
            throw new IllegalArgumentException("clients per round m must be in [1, n=" + n + "], got " + m);
        }
        if (!seeded) {
            return draw(new AesCtr(AesCtr.freshKey(), 0, 0), m, n);
        }
        synchronized (this) {
            AesCtr ctr = new AesCtr(seededKey, 0, position);
            int[] out = draw(ctr, m, n);
            position = ctr.position();
            return out;
        }
    }

    private static int[] draw(AesCtr ctr, int m, int n) {
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        for (int i = 0; i < m; i++) {
            int j = i + uniformInt(ctr, n - i);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] out = new int[m];
        System.arraycopy(perm, 0, out, 0, m);
        return out;
    }

    /** A uniform integer in [0, bound) by rejection of the top partial range of 63-bit draws (exactly unbiased). */
    private static int uniformInt(AesCtr ctr, int bound) {
        long excess = (Long.MAX_VALUE % bound + 1) % bound; // 2^63 mod bound: the values that would bias r % bound
        long limit = Long.MAX_VALUE - excess; // accept [0, 2^63 - excess), a whole number of bound-sized ranges
        while (true) {
            long r = ctr.nextLong() >>> 1; // uniform in [0, 2^63)
            if (r <= limit) {
                return (int) (r % bound);
            }
        }
    }
}

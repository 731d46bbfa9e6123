package dev.fedgan.core.privacy;

/**
 * Draws the clients of a round by <b>Poisson sampling</b> (McMahan et al. 2018, DP-FedAvg Algorithm 1): each of the
 * N clients of the population is included independently with probability q = m/N, m being the <i>expected</i> number
 * of clients per round. The sample size varies from round to round (binomial(N, q): mean qN, variance Nq(1-q)) and
 * may be 0. This is the sampling the RDP accountant's Sampled Gaussian Mechanism assumes, so its q is exact.
 *
 * <p>Client i is included when a uniform double in [0, 1) with 53 random bits, taken from an AES-256-CTR keystream
 * ({@link AesCtr}), is below q: one draw per client per round, in population order.
 *
 * <p>{@link #secure()} (the default) keys the stream afresh from the JDK's DRBG on every call; {@link #seeded(long)}
 * is reproducible (key = SHA-256 of the seed) and not private. Each call of a seeded sampler starts at the block
 * after the last one the previous call touched, so {@link #state()} / {@link #restore(SeededState)} resume the
 * identical sequence of draws. Thread-safe.
 */
public final class ClientSampler {

    /** The stream name in {@link SeededState}. */
    public static final String STREAM = "client-sampler";
    private static final String DOMAIN = "fedgan/client-sampler/aes-256-ctr/poisson/v2";

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
        String algo = "Poisson (each client independently with probability q), AES-256-CTR keystream";
        return seeded
                ? "seeded (reproducible, NOT private; seed " + seed + "): " + algo
                : "secure (fresh key per call from " + AesCtr.entropySource() + "): " + algo;
    }

    /** The seeded stream's position to save with a checkpoint; {@code null} in secure mode (nothing to restore). */
    public synchronized SeededState state() {
        return seeded ? new SeededState(STREAM, seed, position) : null;
    }

    /**
     * The sampling rate q = m / n for m expected clients per round out of n, as the accountant is charged.
     *
     * @throws IllegalArgumentException unless 0 &lt; m &le; n
     */
    public static double samplingRate(int m, int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("population size n must be > 0, got " + n);
        }
        if (m <= 0 || m > n) {
            throw new IllegalArgumentException("expected clients per round m must be in [1, n=" + n + "] (q = m/n <= 1),"
                    + " got " + m);
        }
        return m / (double) n;
    }

    /**
     * One round's Poisson sample: the indices of [0, n) included, each independently with probability q, in
     * increasing order. Possibly empty.
     *
     * @throws IllegalArgumentException unless 0 &lt; q &le; 1 and n &gt; 0
     */
    public int[] sample(double q, int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("population size n must be > 0, got " + n);
        }
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("sampling rate q must be in (0, 1], got " + q);
        }
        if (!seeded) {
            return draw(new AesCtr(AesCtr.freshKey(), 0, 0), q, n);
        }
        synchronized (this) {
            AesCtr ctr = new AesCtr(seededKey, 0, position);
            int[] out = draw(ctr, q, n);
            position = ctr.position();
            return out;
        }
    }

    private static int[] draw(AesCtr ctr, double q, int n) {
        int[] picked = new int[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (AesCtr.uniformClosedOpen(ctr.nextLong()) < q) { // P = q to within 2^-53
                picked[k++] = i;
            }
        }
        return java.util.Arrays.copyOf(picked, k);
    }
}

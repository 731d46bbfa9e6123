package dev.fedgan.core.dpsgd;

import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.privacy.ClientSampler;
import dev.fedgan.core.privacy.Conversion;
import dev.fedgan.core.privacy.DpFedAvgAggregate;
import dev.fedgan.core.privacy.DpSgdPrivacy;
import dev.fedgan.core.privacy.Epsilon;
import dev.fedgan.core.privacy.GaussianNoise;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.core.privacy.RdpAccountant;
import dev.fedgan.core.progress.Progress;
import java.util.Locale;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * User-level DP-FedAvg of a classifier (McMahan et al. 2018), with the aggregation and the accountant the GANs use:
 * <ol>
 * <li>each round every one of the N users takes part independently with probability q = m/N (Poisson sampling,
 *     {@link ClientSampler});</li>
 * <li>each sampled user starts from the server's weights and trains them with plain SGD for {@code localEpochs}
 *     passes over its own examples in batches of {@code localBatch}; its update is the local weights minus the
 *     server's, every parameter;</li>
 * <li>{@link DpFedAvgAggregate} clips each update to L2 norm S, sums, adds N(0, (z·S)²) per coordinate and divides by
 *     the fixed m (a non-private run takes the example-weighted mean instead);</li>
 * <li>the server takes a step of {@code serverLearningRate} with momentum {@code serverMomentum} along that mean.</li>
 * </ol>
 * The accountant charges one Sampled Gaussian Mechanism of (q, z) per round: the unit protected is one user, all of
 * their examples. Nothing is measured on the users' examples; the test accuracy is the analyst's own data.
 */
public final class DpFedAvgTraining {

    /** The unit of the guarantee. */
    public static final String UNIT = "one user, all of their examples (user-level DP-FedAvg)";

    /**
     * @param clipNorm           S, the bound on each user's update (&gt; 0)
     * @param noiseMultiplier    z, or null to choose it from {@code targetEpsilon}
     * @param targetEpsilon      the ε to reach after all rounds, or null when z is given
     * @param delta              δ, or null for min(1e-5, N^-1.1), N the users
     * @param conversion         the RDP-to-(ε, δ) conversion of the target and of the headline ε
     * @param usersPerRound      m, the expected users per round (q = m/N)
     * @param rounds             T, the rounds
     * @param localEpochs        passes over its examples each sampled user makes
     * @param localBatch         examples per local SGD step
     * @param clientLearningRate the users' SGD step size
     * @param serverLearningRate the server's step size along the mean update
     * @param serverMomentum     the server's momentum in [0, 1)
     * @param seed               parameter initialisation and the users' shuffles, and sampling and noise when
     *                           {@code reproducible}
     * @param reproducible       seeded sampling and noise: reproducible runs, NOT private
     * @param nonPrivate         FedAvg without clipping or noise (example-weighted mean)
     */
    public record Options(double clipNorm, Double noiseMultiplier, Double targetEpsilon, Double delta,
                          Conversion conversion, int usersPerRound, int rounds, int localEpochs, int localBatch,
                          double clientLearningRate, double serverLearningRate, double serverMomentum, long seed,
                          boolean reproducible, boolean nonPrivate) {

        public Options {
            DpSgdTraining.checkGuarantee("update clip norm", clipNorm, noiseMultiplier, targetEpsilon, delta,
                    nonPrivate);
            if (usersPerRound < 1) {
                throw new IllegalArgumentException("users per round must be >= 1, got " + usersPerRound);
            }
            if (rounds < 1 || rounds > 1_000_000) {
                throw new IllegalArgumentException("rounds must be in [1, 1000000], got " + rounds);
            }
            if (localEpochs < 1 || localEpochs > 1000) {
                throw new IllegalArgumentException("local epochs must be in [1, 1000], got " + localEpochs);
            }
            if (localBatch < 1 || localBatch > 65_536) {
                throw new IllegalArgumentException("the local batch must be in [1, 65536], got " + localBatch);
            }
            if (!(clientLearningRate > 0) || clientLearningRate > 1000) {
                throw new IllegalArgumentException("the client learning rate must be in (0, 1000], got "
                        + clientLearningRate);
            }
            if (!(serverLearningRate > 0) || serverLearningRate > 1000) {
                throw new IllegalArgumentException("the server learning rate must be in (0, 1000], got "
                        + serverLearningRate);
            }
            if (!(serverMomentum >= 0 && serverMomentum < 1)) {
                throw new IllegalArgumentException("the server momentum must be in [0, 1), got " + serverMomentum);
            }
            conversion = conversion == null ? Conversion.ORIGINAL : conversion;
        }
    }

    /** The trained network, the guarantee (null when non-private) and the final test accuracy. */
    public record Result(Network network, DpSgdPrivacy privacy, double testAccuracy, double seconds) {
    }

    private DpFedAvgTraining() {
    }

    /**
     * Checks the options against the users before any work (m within N, δ below 1/N, the target reachable) and
     * returns the noise multiplier (0 when non-private).
     */
    public static double noiseMultiplier(Options o, int users) {
        if (o.usersPerRound() > users) {
            throw new IllegalArgumentException("the expected " + o.usersPerRound() + " users per round exceed the "
                    + users + " users");
        }
        if (o.nonPrivate()) {
            return 0;
        }
        DpSgdTraining.checkDeltaBelow(o.delta(), users, "N", "a user's data");
        if (o.noiseMultiplier() != null) {
            return o.noiseMultiplier();
        }
        return PrivacyCalculator.noiseMultiplierFor((double) o.usersPerRound() / users, o.rounds(), delta(o, users),
                o.targetEpsilon(), o.conversion());
    }

    private static double delta(Options o, int users) {
        return DpSgdTraining.delta(o.delta(), users);
    }

    /**
     * Trains {@code net} over the users, {@code users[u]} the indices of user u's examples in {@code train}.
     *
     * @throws IllegalArgumentException if a user has no example or an index outside the training set
     */
    public static Result train(Network net, Examples train, int[][] users, Examples test, Options o,
                               Progress progress) {
        for (int u = 0; u < users.length; u++) {
            if (users[u].length == 0) {
                throw new IllegalArgumentException("user " + u + " has no example");
            }
            for (int i : users[u]) {
                if (i < 0 || i >= train.size()) {
                    throw new IllegalArgumentException("user " + u + " has example " + i + ", outside the "
                            + train.size() + " of " + train.name());
                }
            }
        }
        if (train.numClasses() != net.numClasses() || test.numClasses() != net.numClasses()) {
            throw new IllegalArgumentException("the network has " + net.numClasses() + " classes but " + train.name()
                    + " has " + train.numClasses() + " and " + test.name() + " " + test.numClasses());
        }
        try {
            return rounds(net, train, users, test, o, progress);
        } finally {
            net.releaseMemory();
        }
    }

    private static Result rounds(Network net, Examples train, int[][] users, Examples test, Options o,
                                 Progress progress) {
        long started = System.nanoTime();
        Server server = new Server(net, users, o);
        progress.start(o.nonPrivate() ? "FedAvg (non-private)" : "DP-FedAvg", o.rounds(), "rounds");
        while (!server.finished()) {
            Round round = server.begin();
            float[] weights = server.weights();
            float[][] updates = new float[round.users().length][];
            for (int k = 0; k < updates.length; k++) {
                updates[k] = localUpdate(net, weights, train, users[round.users()[k]], o, round.seeds()[k]);
            }
            server.finish(round, updates);
            progress.advance(1, String.format(Locale.ROOT, "round %d/%d, %d users%s", round.number(), o.rounds(),
                    round.users().length, o.nonPrivate() ? "" : String.format(Locale.ROOT, ", epsilon %.3f",
                            server.epsilon())));
        }
        double accuracy = DpSgdTraining.evaluate(net, test, 512)[1];
        DpSgdPrivacy privacy = server.privacy();
        progress.finish(String.format(Locale.ROOT, "test accuracy %.2f%%, %.1f users per round%s", 100 * accuracy,
                server.meanUsersPerRound(), privacy == null ? "" : String.format(Locale.ROOT,
                        ", epsilon %.3f at delta %.3g (one user)", privacy.epsilonOriginal(), privacy.delta())));
        return new Result(net, privacy, accuracy, (System.nanoTime() - started) / 1e9);
    }

    /**
     * One round's sample: its number (from 1), the users drawn (indices into the users, ascending) and each one's
     * seed for the shuffles of its local training.
     */
    public record Round(int number, int[] users, long[] seeds) {
    }

    /**
     * The server of a DP-FedAvg run: draws each round's users, adds their updates in the order drawn (so the sum
     * does not depend on which update arrives first), noises and divides, takes the server step and charges the
     * accountant. The users' local training ({@link #localUpdate}) runs wherever the caller puts it: in this JVM, or
     * on client-update replicas. After each round the network's parameters are the server's weights.
     */
    public static final class Server {

        private final Network net;
        private final int[][] users;
        private final Options o;
        private final int length;
        private final double z;
        private final double q;
        private final double delta;
        private final ClientSampler sampler;
        private final GaussianNoise noise;
        private final SplittableRandom shuffles;
        private final RdpAccountant accountant = new RdpAccountant();
        private final INDArray weights;
        private final INDArray velocity;
        private int round;
        private long sampledTotal;
        private Round open;

        /**
         * @param net   the network whose parameters the server trains (its initial weights)
         * @param users user u's example indices, for the example-weighted mean of a non-private run
         * @throws IllegalArgumentException if the options do not fit the users ({@link #noiseMultiplier})
         */
        public Server(Network net, int[][] users, Options o) {
            this.net = net;
            this.users = users;
            this.o = o;
            int n = users.length;
            this.length = Math.toIntExact(net.numParams());
            this.z = noiseMultiplier(o, n);
            this.q = ClientSampler.samplingRate(o.usersPerRound(), n);
            this.delta = o.nonPrivate() ? 0 : delta(o, n);
            this.sampler = o.reproducible() ? ClientSampler.seeded(o.seed()) : ClientSampler.secure();
            this.noise = o.reproducible() ? GaussianNoise.seeded(o.seed()) : GaussianNoise.secure();
            this.shuffles = new SplittableRandom(o.seed());
            this.weights = net.params().dup();
            this.velocity = Nd4j.zeros(weights.dataType(), weights.shape());
        }

        /** Whether all the options' rounds are done. */
        public boolean finished() {
            return round >= o.rounds();
        }

        /** Draws the next round's users (Poisson, q = m/N) and their shuffle seeds. */
        public Round begin() {
            if (open != null) {
                throw new IllegalStateException("round " + open.number() + " is not finished");
            }
            if (finished()) {
                throw new IllegalStateException("all " + o.rounds() + " rounds are done");
            }
            int[] sampled = sampler.sample(q, users.length);
            long[] seeds = new long[sampled.length];
            for (int k = 0; k < seeds.length; k++) {
                seeds[k] = shuffles.nextLong();
            }
            open = new Round(round + 1, sampled, seeds);
            return open;
        }

        /** The server's weights, flat in the network's parameter order: what each user of a round starts from. */
        public float[] weights() {
            return weights.toFloatVector();
        }

        /** The parameter count, every update's length. */
        public int length() {
            return length;
        }

        /**
         * Completes {@code r} with its users' updates, in {@code r}'s order: each clipped to S and summed (in that
         * order), N(0, (zS)²) added, divided by m (a non-private run: the example-weighted mean); the server steps
         * along it with momentum; the accountant charges one sampled Gaussian mechanism (q, z).
         *
         * @throws IllegalArgumentException if an update is missing or has the wrong length
         */
        public void finish(Round r, float[][] updates) {
            if (r != open) {
                throw new IllegalStateException("round " + r.number() + " is not the round in progress");
            }
            if (updates.length != r.users().length) {
                throw new IllegalArgumentException("round " + r.number() + " drew " + r.users().length + " users but "
                        + updates.length + " updates came");
            }
            DpFedAvgAggregate aggregate = o.nonPrivate() ? DpFedAvgAggregate.weightedMean(length)
                    : DpFedAvgAggregate.dp(length, new DpFedAvgAggregate.DpConfig(o.clipNorm(), z, o.usersPerRound()),
                    noise);
            for (int k = 0; k < updates.length; k++) {
                int u = r.users()[k];
                if (updates[k] == null || updates[k].length != length) {
                    throw new IllegalArgumentException("round " + r.number() + ": the update of user " + u + " has "
                            + (updates[k] == null ? "no" : updates[k].length) + " values, the network " + length);
                }
                aggregate.add("user-" + u, updates[k], users[u].length);
            }
            float[] mean = aggregate.finish().average();
            velocity.muli(o.serverMomentum()).addi(Nd4j.create(mean, weights.shape(), 'c').castTo(weights.dataType()));
            weights.addi(velocity.mul(o.serverLearningRate()));
            net.params().assign(weights);
            if (!o.nonPrivate()) {
                accountant.addSteps(q, z, 1);
            }
            sampledTotal += r.users().length;
            round = r.number();
            open = null;
        }

        /** ε so far, in the options' conversion (0 for a non-private run). */
        public double epsilon() {
            return o.nonPrivate() ? 0 : accountant.epsilon(delta, o.conversion()).epsilon();
        }

        double meanUsersPerRound() {
            return round == 0 ? 0 : (double) sampledTotal / round;
        }

        /** The guarantee of the rounds done, or null for a non-private run. */
        public DpSgdPrivacy privacy() {
            if (o.nonPrivate()) {
                return null;
            }
            int n = users.length;
            Epsilon original = accountant.epsilon(delta, Conversion.ORIGINAL);
            Epsilon improved = accountant.epsilon(delta, Conversion.IMPROVED);
            return new DpSgdPrivacy(UNIT, n, o.usersPerRound(), q, o.clipNorm(), z, o.targetEpsilon(), round,
                    delta, o.delta() == null, original.epsilon(), improved.epsilon(),
                    PrivacyCalculator.POISSON_SAMPLING + " (N = " + n + ", m = " + o.usersPerRound() + "); "
                            + sampler.description(),
                    noise.description() + "; each user's update (all parameters, after " + o.localEpochs()
                            + " local epoch(s) of SGD) clipped to S, N(0, (z S)^2) on the sum, divided by m");
        }
    }

    /**
     * One user's update: the network set to {@code weights}, trained with plain SGD on the user's examples
     * ({@code examples}, indices into {@code train}) for the options' local epochs, batch and rate, shuffled by
     * {@code seed}; the local weights minus {@code weights}, flat. Leaves the network at the local weights.
     */
    public static float[] localUpdate(Network net, float[] weights, Examples train, int[] examples, Options o,
                                      long seed) {
        INDArray params = net.params();
        if (weights.length != params.length()) {
            throw new IllegalArgumentException("weights of " + weights.length + " values for a network of "
                    + params.length());
        }
        INDArray server = Nd4j.create(weights, params.shape(), 'c').castTo(params.dataType());
        params.assign(server);
        localTraining(net, train, examples, o, new SplittableRandom(seed));
        return params.sub(server).toFloatVector();
    }

    /**
     * Each user's update norm under the trained network: the L2 norm, over all parameters, of what the user's local
     * training ({@code o}'s epochs, batch and rate) would send, before clipping. For measuring on the analyst's own
     * data (the test set cut into users); the network's parameters are left as they were.
     */
    public static double[] updateNorms(Network net, Examples data, int[][] users, Options o) {
        INDArray params = net.params();
        INDArray trained = params.dup();
        SplittableRandom shuffles = new SplittableRandom(o.seed());
        double[] norms = new double[users.length];
        try {
            for (int u = 0; u < users.length; u++) {
                params.assign(trained);
                localTraining(net, data, users[u], o, shuffles.split());
                norms[u] = params.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                        .subi(trained.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)).norm2Number().doubleValue();
            }
        } finally {
            params.assign(trained);
            net.releaseMemory();
        }
        return norms;
    }

    /** Plain SGD over one user's examples, in place on the network's parameters. */
    private static void localTraining(Network net, Examples train, int[] examples, Options o, SplittableRandom random) {
        INDArray params = net.params();
        for (int e = 0; e < o.localEpochs(); e++) {
            int[] perm = WriterPartition.permutation(examples.length, random);
            int[] order = new int[examples.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = examples[perm[i]];
            }
            for (int from = 0; from < order.length; from += o.localBatch()) {
                int to = Math.min(order.length, from + o.localBatch());
                net.clearGradient();
                net.addGradient(train.batch(order, from, to, net.dataType()), train.labels(order, from, to),
                        Double.POSITIVE_INFINITY, false);
                params.subi(net.gradient().mul(o.clientLearningRate() / (to - from)));
            }
        }
    }
}

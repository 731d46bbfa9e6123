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
        int n = users.length;
        double z = noiseMultiplier(o, n);
        double q = ClientSampler.samplingRate(o.usersPerRound(), n);
        double delta = o.nonPrivate() ? 0 : delta(o, n);
        ClientSampler sampler = o.reproducible() ? ClientSampler.seeded(o.seed()) : ClientSampler.secure();
        GaussianNoise noise = o.reproducible() ? GaussianNoise.seeded(o.seed()) : GaussianNoise.secure();
        SplittableRandom shuffles = new SplittableRandom(o.seed());
        RdpAccountant accountant = new RdpAccountant();
        INDArray params = net.params();
        int length = Math.toIntExact(net.numParams());
        INDArray velocity = Nd4j.zeros(params.dataType(), params.shape());
        long sampledTotal = 0;
        progress.start(o.nonPrivate() ? "FedAvg (non-private)" : "DP-FedAvg", o.rounds(), "rounds");
        for (int round = 1; round <= o.rounds(); round++) {
            int[] sampled = sampler.sample(q, n);
            sampledTotal += sampled.length;
            INDArray server = params.dup();
            DpFedAvgAggregate aggregate = o.nonPrivate() ? DpFedAvgAggregate.weightedMean(length)
                    : DpFedAvgAggregate.dp(length, new DpFedAvgAggregate.DpConfig(o.clipNorm(), z, o.usersPerRound()),
                    noise);
            for (int u : sampled) {
                params.assign(server);
                localTraining(net, train, users[u], o, shuffles.split());
                aggregate.add("user-" + u, params.sub(server).toFloatVector(), users[u].length);
            }
            float[] mean = aggregate.finish().average();
            velocity.muli(o.serverMomentum()).addi(Nd4j.create(mean, params.shape(), 'c').castTo(params.dataType()));
            params.assign(server.addi(velocity.mul(o.serverLearningRate())));
            if (!o.nonPrivate()) {
                accountant.addSteps(q, z, 1);
            }
            progress.advance(1, String.format(Locale.ROOT, "round %d/%d, %d users%s", round, o.rounds(),
                    sampled.length, o.nonPrivate() ? "" : String.format(Locale.ROOT, ", epsilon %.3f",
                            accountant.epsilon(delta, o.conversion()).epsilon())));
        }
        double accuracy = DpSgdTraining.evaluate(net, test, 512)[1];
        DpSgdPrivacy privacy = null;
        if (!o.nonPrivate()) {
            Epsilon original = accountant.epsilon(delta, Conversion.ORIGINAL);
            Epsilon improved = accountant.epsilon(delta, Conversion.IMPROVED);
            privacy = new DpSgdPrivacy(UNIT, n, o.usersPerRound(), q, o.clipNorm(), z, o.targetEpsilon(), o.rounds(),
                    delta, o.delta() == null, original.epsilon(), improved.epsilon(),
                    PrivacyCalculator.POISSON_SAMPLING + " (N = " + n + ", m = " + o.usersPerRound() + "); "
                            + sampler.description(),
                    noise.description() + "; each user's update (all parameters, after " + o.localEpochs()
                            + " local epoch(s) of SGD) clipped to S, N(0, (z S)^2) on the sum, divided by m");
        }
        progress.finish(String.format(Locale.ROOT, "test accuracy %.2f%%, %.1f users per round%s", 100 * accuracy,
                (double) sampledTotal / o.rounds(), privacy == null ? "" : String.format(Locale.ROOT,
                        ", epsilon %.3f at delta %.3g (one user)", privacy.epsilonOriginal(), delta)));
        return new Result(net, privacy, accuracy, (System.nanoTime() - started) / 1e9);
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

package dev.fedgan.core.dpsgd;

import dev.fedgan.core.privacy.ClientSampler;
import dev.fedgan.core.privacy.Conversion;
import dev.fedgan.core.privacy.DpSgdPrivacy;
import dev.fedgan.core.privacy.Epsilon;
import dev.fedgan.core.privacy.GaussianNoise;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.core.privacy.RdpAccountant;
import dev.fedgan.core.progress.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DP-SGD (Abadi et al. 2016) over a {@link Network}: each step draws a Poisson sample of the training examples
 * (each independently with probability q = B / n), clips every drawn example's gradient to L2 norm S over all
 * parameters, adds N(0, (zS)²) from the secure noise source to every coordinate of the sum, divides by the
 * expected batch size B (not the drawn size, which would depend on the sample) and takes an SGD step with
 * momentum. The RDP accountant is charged T = ceil(epochs · n / B) steps of (q, z), as TF Privacy counts them.
 *
 * <p>With a target ε, z is chosen before training as the smallest that keeps the T planned steps within the
 * target; before each epoch the accountant checks that the epoch would not exceed it, and training stops if it
 * would. With {@link Options#nonPrivate()} the same network takes ordinary mini-batch SGD steps (shuffled batches
 * of B, the mean gradient, no clipping or noise): the baseline.
 */
public final class DpSgdTraining {

    /**
     * @param clipNorm        S, the per-example gradient bound (> 0)
     * @param noiseMultiplier z, or null to choose it from {@code targetEpsilon}
     * @param targetEpsilon   the ε to stay within, or null when z is given
     * @param delta           δ, or null for min(1e-5, n^-1.1)
     * @param conversion      the RDP-to-(ε, δ) conversion of the target and of the headline ε
     * @param expectedBatch   B, the expected batch size
     * @param epochs          passes over the data (T = ceil(epochs · n / B) steps)
     * @param learningRate    the SGD step size
     * @param momentum        SGD momentum in [0, 1)
     * @param physicalBatch   examples per forward/backward pass (memory bound; the result does not depend on it
     *                        beyond float rounding)
     * @param seed            parameter initialisation, and sampling and noise when {@code reproducible}
     * @param reproducible    seeded sampling and noise: reproducible runs, NOT private
     * @param nonPrivate      ordinary SGD, no clipping or noise (the baseline)
     */
    public record Options(double clipNorm, Double noiseMultiplier, Double targetEpsilon, Double delta,
                          Conversion conversion, int expectedBatch, double epochs, double learningRate, double momentum,
                          int physicalBatch, long seed, boolean reproducible, boolean nonPrivate) {

        public Options {
            checkGuarantee("clip norm", clipNorm, noiseMultiplier, targetEpsilon, delta, nonPrivate);
            if (expectedBatch < 1) {
                throw new IllegalArgumentException("the expected batch size must be >= 1, got " + expectedBatch);
            }
            if (!(epochs > 0) || epochs > 10_000) {
                throw new IllegalArgumentException("epochs must be in (0, 10000], got " + epochs);
            }
            if (!(learningRate > 0) || learningRate > 1000) {
                throw new IllegalArgumentException("the learning rate must be in (0, 1000], got " + learningRate);
            }
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
            }
            if (physicalBatch < 1 || physicalBatch > 65_536) {
                throw new IllegalArgumentException("the physical batch must be in [1, 65536], got " + physicalBatch);
            }
            conversion = conversion == null ? Conversion.ORIGINAL : conversion;
        }
    }

    /**
     * One epoch's figures: the test loss and accuracy after it, and ε so far. Nothing is measured on the training
     * examples: a training loss would be a release about them outside the accountant.
     */
    public record Epoch(int epoch, long steps, double testLoss, double testAccuracy, double epsilon, double seconds) {
    }

    /**
     * The trained network, every epoch's figures, the guarantee (null when non-private), the final accuracy, and with
     * {@link GroupClipping} each group's clip bound at the end (null without).
     */
    public record Result(Network network, List<Epoch> epochs, DpSgdPrivacy privacy, double testAccuracy,
                         double seconds, String stoppedEarly, double[] groupClips) {
    }

    private DpSgdTraining() {
    }

    /**
     * Checks the options against the data before any work (B within n; δ below 1/n, since a mechanism that
     * publishes one random example in full is (0, 1/n)-DP; the target reachable) and returns the noise multiplier.
     */
    public static double noiseMultiplier(Options o, int examples) {
        if (o.expectedBatch() > examples) {
            throw new IllegalArgumentException("the " + (o.nonPrivate() ? "" : "expected ") + "batch "
                    + o.expectedBatch() + " exceeds the " + examples + " training examples");
        }
        if (o.nonPrivate()) {
            return 0;
        }
        checkDeltaBelow(o.delta(), examples, "n", "an example");
        if (o.noiseMultiplier() != null) {
            return o.noiseMultiplier();
        }
        double q = (double) o.expectedBatch() / examples;
        long steps = PrivacyCalculator.stepsForEpochs(examples, o.expectedBatch(), o.epochs());
        return PrivacyCalculator.noiseMultiplierFor(q, steps, delta(o, examples), o.targetEpsilon(), o.conversion());
    }

    /**
     * The checks of a DP training's guarantee options: the bound finite and &gt; 0; exactly one of z and a target ε
     * (unless non-private), each valid; δ valid when given.
     */
    static void checkGuarantee(String clipName, double clipNorm, Double noiseMultiplier, Double targetEpsilon,
                               Double delta, boolean nonPrivate) {
        if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
            throw new IllegalArgumentException("the " + clipName + " must be a finite number > 0, got " + clipNorm);
        }
        if (!nonPrivate && (noiseMultiplier == null) == (targetEpsilon == null)) {
            throw new IllegalArgumentException("give either a noise multiplier or a target epsilon, not "
                    + (noiseMultiplier == null ? "neither" : "both"));
        }
        if (noiseMultiplier != null) {
            RdpAccountant.checkNoiseMultiplier(noiseMultiplier);
        }
        if (targetEpsilon != null && (!(targetEpsilon > 0) || Double.isInfinite(targetEpsilon))) {
            throw new IllegalArgumentException("the target epsilon must be a finite number > 0, got " + targetEpsilon);
        }
        if (delta != null) {
            RdpAccountant.checkDelta(delta);
        }
    }

    /**
     * δ, when given, below 1/n for n records: a mechanism that publishes one random record outright is (0, 1/n)-DP.
     *
     * @param symbol how the message names n ("n", "N")
     * @param record one record in words ("an example", "a user's data")
     */
    static void checkDeltaBelow(Double delta, int records, String symbol, String record) {
        if (delta != null && delta >= 1.0 / records) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "delta %.3g is not below 1/%s = 1/%d: such a "
                    + "guarantee allows publishing %s outright; use at most min(1e-5, %s^-1.1) = %.3g", delta, symbol,
                    records, record, symbol, PrivacyCalculator.defaultDelta(records)));
        }
    }

    static double delta(Options o, int examples) {
        return delta(o.delta(), examples);
    }

    /** δ as given, or the default for {@code count} protected units (examples, or users): min(1e-5, count^-1.1). */
    static double delta(Double given, int count) {
        return given != null ? given : PrivacyCalculator.defaultDelta(count);
    }

    public static Result train(Network net, Examples train, Examples test, Options o, Progress progress) {
        return train(net, train, test, o, null, progress);
    }

    /**
     * DP-SGD with per-group clip bounds ({@link GroupClipping}, DPSGD-F); {@code groups} null is plain DP-SGD.
     *
     * @throws IllegalArgumentException if the groups do not cover the training examples, or with a non-private run
     */
    public static Result train(Network net, Examples train, Examples test, Options o, GroupClipping groups,
                               Progress progress) {
        if (groups != null && (o.nonPrivate() || groups.groups().length != train.size())) {
            throw new IllegalArgumentException(o.nonPrivate() ? "group clipping needs DP-SGD, not a non-private run"
                    : groups.groups().length + " group labels for " + train.size() + " training examples");
        }
        try {
            return steps(net, train, test, o, groups, progress);
        } finally {
            net.releaseMemory();
        }
    }

    private static Result steps(Network net, Examples train, Examples test, Options o, GroupClipping groups,
                                Progress progress) {
        if (train.numClasses() != net.numClasses() || test.numClasses() != net.numClasses()) {
            throw new IllegalArgumentException("the network has " + net.numClasses() + " classes but " + train.name()
                    + " has " + train.numClasses() + " and " + test.name() + " " + test.numClasses());
        }
        long started = System.nanoTime();
        int n = train.size();
        int batch = o.expectedBatch();
        double z = noiseMultiplier(o, n);
        double q = (double) batch / n;
        long totalSteps = PrivacyCalculator.stepsForEpochs(n, batch, o.epochs());
        double delta = delta(o, n);
        double clip = o.nonPrivate() ? Double.POSITIVE_INFINITY : o.clipNorm();
        double[] groupClips = null;
        double[] above = null; // the decayed sums of the groups' noised counts above and within S0
        double[] within = null;
        double gradientZ = z;
        if (groups != null) {
            above = new double[groups.numGroups()];
            within = new double[groups.numGroups()];
            groupClips = new double[groups.numGroups()];
            java.util.Arrays.fill(groupClips, o.clipNorm());
            gradientZ = groups.gradientNoiseMultiplier(z);
        }
        ClientSampler sampler = o.reproducible() ? ClientSampler.seeded(o.seed()) : ClientSampler.secure();
        GaussianNoise noise = o.reproducible() ? GaussianNoise.seeded(o.seed()) : GaussianNoise.secure();
        SplittableRandom shuffle = new SplittableRandom(o.seed());
        RdpAccountant accountant = new RdpAccountant();
        INDArray velocity = Nd4j.zeros(net.params().dataType(), net.params().shape());
        List<Epoch> epochs = new ArrayList<>();
        int epochCount = (int) Math.ceil(o.epochs());
        String stopped = null;
        long done = 0;
        int[] order = null;
        int cursor = n;
        progress.start(o.nonPrivate() ? "training (non-private)" : "DP-SGD training", totalSteps, "steps");
        for (int e = 1; e <= epochCount && stopped == null; e++) {
            long end = Math.min(totalSteps, (long) Math.ceil(Math.min(e, o.epochs()) * n / batch));
            long steps = end - done;
            if (!o.nonPrivate() && o.targetEpsilon() != null) {
                double next = accountant.copy().addSteps(q, z, steps).epsilon(delta, o.conversion()).epsilon();
                if (next > o.targetEpsilon()) {
                    stopped = String.format(Locale.ROOT, "stopped before epoch %d: it would bring epsilon to %.4f, over "
                            + "the target %.4f", e, next, o.targetEpsilon());
                    break;
                }
            }
            long epochStart = System.nanoTime();
            for (long s = 0; s < steps; s++) {
                int[] drawn;
                if (o.nonPrivate()) {
                    if (cursor + batch > n) {
                        order = dev.fedgan.core.data.WriterPartition.permutation(n, shuffle);
                        cursor = 0;
                    }
                    drawn = java.util.Arrays.copyOfRange(order, cursor, cursor + batch);
                    cursor += batch;
                } else {
                    drawn = sampler.sample(q, n);
                }
                net.clearGradient();
                double[] stepAbove = groups == null ? null : new double[groups.numGroups()];
                double[] stepWithin = groups == null ? null : new double[groups.numGroups()];
                for (int from = 0; from < drawn.length; from += o.physicalBatch()) {
                    int to = Math.min(drawn.length, from + o.physicalBatch());
                    if (groups == null) {
                        net.addGradient(train.batch(drawn, from, to, net.dataType()), train.labels(drawn, from, to),
                                clip, false);
                        continue;
                    }
                    double[] bounds = new double[to - from];
                    for (int i = from; i < to; i++) {
                        bounds[i - from] = groupClips[groups.groups()[drawn[i]]];
                    }
                    double[] norms = net.addGradient(train.batch(drawn, from, to, net.dataType()),
                            train.labels(drawn, from, to), bounds, false);
                    for (int i = from; i < to; i++) {
                        (norms[i - from] > o.clipNorm() ? stepAbove : stepWithin)[groups.groups()[drawn[i]]]++;
                    }
                }
                INDArray g = net.gradient();
                if (!o.nonPrivate()) {
                    double sensitivity = o.clipNorm();
                    if (groups != null) {
                        for (double b : groupClips) {
                            sensitivity = Math.max(sensitivity, b);
                        }
                    }
                    float[] noisy = g.toFloatVector();
                    noise.addTo(noisy, gradientZ * sensitivity);
                    g.assign(Nd4j.create(noisy, g.shape(), 'c').castTo(g.dataType()));
                }
                if (groups != null) { // the noised counts, drawn after the sum's noise, set the next step's bounds
                    noise.addTo(stepAbove, groups.countNoise());
                    noise.addTo(stepWithin, groups.countNoise());
                    for (int k = 0; k < above.length; k++) {
                        above[k] = GroupClipping.DECAY * above[k] + stepAbove[k];
                        within[k] = GroupClipping.DECAY * within[k] + stepWithin[k];
                    }
                    groupClips = GroupClipping.bounds(o.clipNorm(), above, within);
                }
                g.divi(o.nonPrivate() ? drawn.length : batch);
                velocity.muli(o.momentum()).addi(g);
                net.params().subi(velocity.mul(o.learningRate()));
                done++;
                progress.advance(1, status(e, epochCount, epochs));
            }
            if (!o.nonPrivate()) {
                accountant.addSteps(q, z, steps);
            }
            double eps = o.nonPrivate() ? Double.POSITIVE_INFINITY : accountant.epsilon(delta, o.conversion()).epsilon();
            double[] lossAccuracy = evaluate(net, test, o.physicalBatch());
            epochs.add(new Epoch(e, done, lossAccuracy[0], lossAccuracy[1], eps, (System.nanoTime() - epochStart) / 1e9));
        }
        double acc = epochs.isEmpty() ? evaluate(net, test, o.physicalBatch())[1]
                : epochs.get(epochs.size() - 1).testAccuracy();
        DpSgdPrivacy privacy = null;
        if (!o.nonPrivate()) {
            Epsilon original = accountant.epsilon(delta, Conversion.ORIGINAL);
            Epsilon improved = accountant.epsilon(delta, Conversion.IMPROVED);
            privacy = new DpSgdPrivacy(DpSgdPrivacy.UNIT, n, batch, q, o.clipNorm(), z, o.targetEpsilon(), done, delta,
                    o.delta() == null, done == 0 ? 0 : original.epsilon(), done == 0 ? 0 : improved.epsilon(),
                    "Poisson sampling: each of the " + n + " examples in each step independently with probability q = "
                            + batch + "/" + n + "; " + sampler.description(),
                    groups == null ? noise.description() : noise.description() + "; " + groups.describe(z));
        }
        progress.finish(String.format(Locale.ROOT, "test accuracy %.2f%%%s", 100 * acc, privacy == null ? ""
                : String.format(Locale.ROOT, ", epsilon %.3f (original conversion) / %.3f (improved) at delta %.3g",
                privacy.epsilonOriginal(), privacy.epsilonImproved(), delta)));
        return new Result(net, List.copyOf(epochs), privacy, acc, (System.nanoTime() - started) / 1e9, stopped,
                groupClips);
    }

    private static String status(int epoch, int epochs, List<Epoch> done) {
        if (done.isEmpty()) {
            return String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs);
        }
        Epoch last = done.get(done.size() - 1);
        return String.format(Locale.ROOT, "epoch %d/%d test loss %.4f acc %.2f%%%s", epoch, epochs, last.testLoss(),
                100 * last.testAccuracy(), Double.isFinite(last.epsilon())
                        ? String.format(Locale.ROOT, " eps %.3f", last.epsilon()) : "");
    }

    /** The class the network predicts (its largest logit) for each example of {@code data}. */
    public static int[] predict(Network net, Examples data, int chunk) {
        int n = data.size();
        int[] all = identity(n);
        int[] predicted = new int[n];
        for (int from = 0; from < n; from += chunk) {
            int to = Math.min(n, from + chunk);
            double[][] z = logits(net, data, all, from, to);
            for (int i = from; i < to; i++) {
                predicted[i] = argmax(z[i - from]);
            }
        }
        return predicted;
    }

    /**
     * Each example's gradient norm (its own cross-entropy loss, all parameters, before any clipping) under the
     * network's current parameters. The network's accumulated gradient is cleared before and after.
     */
    public static double[] gradientNorms(Network net, Examples data, int chunk) {
        int n = data.size();
        int[] all = identity(n);
        double[] norms = new double[n];
        net.clearGradient();
        try {
            for (int from = 0; from < n; from += chunk) {
                int to = Math.min(n, from + chunk);
                double[] got = net.addGradient(data.batch(all, from, to, net.dataType()), data.labels(all, from, to),
                        Double.POSITIVE_INFINITY, true);
                System.arraycopy(got, 0, norms, from, to - from);
            }
        } finally {
            net.clearGradient();
            net.releaseMemory();
        }
        return norms;
    }

    private static double[][] logits(Network net, Examples data, int[] indices, int from, int to) {
        return net.output(data.batch(indices, from, to, net.dataType())).castTo(
                org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleMatrix();
    }

    private static int argmax(double[] z) {
        int arg = 0;
        for (int c = 1; c < z.length; c++) {
            arg = z[c] > z[arg] ? c : arg;
        }
        return arg;
    }

    private static int[] identity(int n) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        return all;
    }

    /** The mean cross-entropy and the accuracy of the network on {@code data}. */
    public static double[] evaluate(Network net, Examples data, int chunk) {
        int n = data.size();
        int[] all = identity(n);
        double loss = 0;
        long correct = 0;
        for (int from = 0; from < n; from += chunk) {
            int to = Math.min(n, from + chunk);
            double[][] z = logits(net, data, all, from, to);
            for (int i = from; i < to; i++) {
                double[] zi = z[i - from];
                int y = data.labels()[i];
                int arg = argmax(zi);
                double sum = 0;
                for (double v : zi) {
                    sum += Math.exp(v - zi[arg]);
                }
                loss += Math.log(sum) - (zi[y] - zi[arg]);
                correct += arg == y ? 1 : 0;
            }
        }
        return n == 0 ? new double[] {Double.NaN, Double.NaN} : new double[] {loss / n, (double) correct / n};
    }
}

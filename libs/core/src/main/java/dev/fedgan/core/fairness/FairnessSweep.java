package dev.fedgan.core.fairness;

import dev.fedgan.core.dpsgd.Activation;
import dev.fedgan.core.dpsgd.Dl4jModels;
import dev.fedgan.core.dpsgd.DpFedAvgTraining;
import dev.fedgan.core.dpsgd.DpSgdTraining;
import dev.fedgan.core.dpsgd.Examples;
import dev.fedgan.core.dpsgd.GroupClipping;
import dev.fedgan.core.dpsgd.Network;
import dev.fedgan.core.privacy.DpSgdPrivacy;
import dev.fedgan.core.progress.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The fairness sweep: for every majority share and every training setting (non-private, DP-SGD at given noise
 * multipliers or target ε, DP-FedAvg over users), a model trained from the same initial weights on a training set of
 * that composition ({@link ImbalanceSampler}), then measured per group on the test set.
 *
 * <p>A DP-FedAvg setting ({@link DpFedAvgTraining}) trains over users: the training set cut into users of
 * {@link Options#examplesPerUser} examples, each user's all of one group; its guarantee protects one user.
 *
 * <p>A setting may clip each group to its own bound (DPSGD-F, Xu et al. 2021): the mitigation, at the same ε as
 * DP-SGD with the same z, since the groups' clipped counts are accounted within z.
 *
 * <p>Everything measured comes from the test set, never from the training examples: the metrics per group and the
 * per-example gradient norms (before clipping, under the trained model) per group and per class, with the share of
 * test examples whose gradient exceeds the sweep's clip S, i.e. the share DP-SGD would clip. A DP point's guarantee
 * is the training run's own accountant ({@link DpSgdPrivacy}): sample-level, one training example, for DP-SGD;
 * user-level for DP-FedAvg, whose group figures are per test user (the test set cut into users the same way): each
 * test user's update norm under the trained model and the share of test users whose update the clip would scale.
 */
public final class FairnessSweep {

    /** The share of the majority group in training the seed project sweeps, in its order. */
    public static final List<Double> SHARES = List.of(1.0, .999, .99, .98, .96, .95, .94, .92, .9, .85, .8, .7, .5);

    /** Examples per forward pass when measuring (memory only). */
    private static final int CHUNK = 512;

    /**
     * One way of training: a name for tables and charts, and either the (DP-)SGD options, with whether DP-SGD clips
     * each group to its own bound (DPSGD-F, {@link GroupClipping}: the mitigation), the groups being the sweep's
     * majority and minority; or the federated options of DP-FedAvg over users.
     */
    public record Setting(String name, DpSgdTraining.Options training, boolean groupClipping,
                          DpFedAvgTraining.Options federated) {

        public Setting {
            if ((training == null) == (federated == null)) {
                throw new IllegalArgumentException("setting " + name + ": give SGD or federated options, not "
                        + (training == null ? "neither" : "both"));
            }
            if (groupClipping && (training == null || training.nonPrivate())) {
                throw new IllegalArgumentException("setting " + name + ": group clipping needs DP-SGD");
            }
        }

        /** (DP-)SGD without group clipping. */
        public Setting(String name, DpSgdTraining.Options training) {
            this(name, training, false, null);
        }

        /** (DP-)SGD, with or without group clipping. */
        public Setting(String name, DpSgdTraining.Options training, boolean groupClipping) {
            this(name, training, groupClipping, null);
        }

        /** (DP-)FedAvg over users. */
        public static Setting federated(String name, DpFedAvgTraining.Options federated) {
            return new Setting(name, null, false, federated);
        }

        /** The bound the setting clips to: per example for SGD, per user update for FedAvg. */
        public double clipNorm() {
            return training != null ? training.clipNorm() : federated.clipNorm();
        }
    }

    /**
     * @param group      how examples split into majority and minority
     * @param shares     the majority shares, each in [0, 1]
     * @param settings   the training settings, each run at every share
     * @param size       examples per training set, or 0 for the largest every share allows
     * @param model      the network
     * @param activation its hidden activation (the tutorial CNN: tanh or ReLU)
     * @param seed       the initial weights (the same at every point) and the training sets' draws
     * @param examplesPerUser the examples of each user in federated settings (the training and test sets cut into
     *                   users, {@link ImbalanceSampler.TrainingSet#users})
     */
    public record Options(MinorityGroup group, List<Double> shares, List<Setting> settings, int size,
                          Dl4jModels.Model model, Activation.Function activation, long seed, int examplesPerUser) {
        public Options {
            if (examplesPerUser < 1) {
                throw new IllegalArgumentException("examples per user must be >= 1, got " + examplesPerUser);
            }
            if (shares.isEmpty() || settings.isEmpty()) {
                throw new IllegalArgumentException("a sweep needs at least one share and one setting");
            }
            shares.forEach(ImbalanceSampler::checkShare);
            if (size < 0) {
                throw new IllegalArgumentException("the training set size must be >= 0 (0: the largest), got " + size);
            }
            shares = List.copyOf(shares);
            settings = List.copyOf(settings);
        }
    }

    /**
     * A group's gradient norms on the test set under the trained model: per example (SGD settings, and every
     * setting's classes) or per test user (a federated setting's groups).
     *
     * @param name           the group or class
     * @param examples       its test examples, or test users
     * @param meanNorm       the mean per-example gradient norm, or the mean user update norm, before clipping
     * @param shareOverClip  the share of them above the setting's clip (what training would clip); NaN for a
     *                       federated setting's classes, whose clip bounds updates, not examples
     */
    public record Norms(String name, int examples, double meanNorm, double shareOverClip) {
    }

    /**
     * One trained model's results.
     *
     * @param share            the majority's share of the training set
     * @param setting          the setting's name
     * @param trainExamples    examples in the training set
     * @param minorityExamples of which the minority's
     * @param overall          metrics on the whole test set
     * @param majority         metrics on the majority's test examples
     * @param minority         metrics on the minority's test examples
     * @param groupNorms       gradient norms of the majority's and the minority's test examples
     * @param classNorms       gradient norms per class
     * @param privacy          the guarantee (DP-SGD's: one example; DP-FedAvg's: one user), or null for a non-private
     *                         setting
     * @param seconds          training and measuring time
     */
    public record Point(double share, String setting, int trainExamples, int minorityExamples, GroupMetrics overall,
                        GroupMetrics majority, GroupMetrics minority, List<Norms> groupNorms, List<Norms> classNorms,
                        DpSgdPrivacy privacy, double seconds) {

        /** Majority accuracy minus minority accuracy. */
        public double accuracyGap() {
            return majority.accuracy() - minority.accuracy();
        }
    }

    private FairnessSweep() {
    }

    /**
     * The training set size the sweep uses, after checking every setting against it: absurd options fail here,
     * before any training.
     */
    public static int checkedSize(Examples train, Options o) {
        int largest = ImbalanceSampler.largestSize(o.group(), train, o.shares());
        int size = o.size() == 0 ? largest : o.size();
        if (size > largest || size < 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s cannot give %d training examples at every"
                    + " share: at most %d (%s as the minority)", train.name(), size, largest, o.group().describe()));
        }
        for (Setting s : o.settings()) {
            try {
                if (s.training() != null) {
                    DpSgdTraining.noiseMultiplier(s.training(), size);
                } else { // every share gives at least as many users as the fewest: all majority or all minority
                    int fewest = (int) Math.ceil((double) size / o.examplesPerUser());
                    DpFedAvgTraining.noiseMultiplier(s.federated(), fewest);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("setting " + s.name() + ": " + e.getMessage(), e);
            }
        }
        return size;
    }

    /** One point of a sweep: its place in the sweep's order (shares outermost), its share and its setting. */
    public record Task(int index, double share, Setting setting) {
    }

    /** The sweep's points in order: every setting at the first share, then at the next, and so on. */
    public static List<Task> tasks(Options o) {
        List<Task> tasks = new ArrayList<>();
        for (double share : o.shares()) {
            for (Setting s : o.settings()) {
                tasks.add(new Task(tasks.size(), share, s));
            }
        }
        return tasks;
    }

    /** Runs every point, in {@link #tasks} order, reporting one unit of progress per point. */
    public static List<Point> run(Examples train, Examples test, Options o, Progress progress) {
        int size = checkedSize(train, o);
        ImbalanceSampler.TrainingSet testSet = ImbalanceSampler.test(o.group(), test);
        List<Point> points = new ArrayList<>();
        List<Task> tasks = tasks(o);
        progress.start("fairness sweep", tasks.size(), "points");
        String status = "";
        ImbalanceSampler.TrainingSet set = null;
        for (Task t : tasks) {
            if (set == null || points.get(points.size() - 1).share() != t.share()) {
                set = ImbalanceSampler.sample(o.group(), train, t.share(), size, o.seed());
            }
            progress.advance(0, String.format(Locale.ROOT, "share %s, %s%s", t.share(), t.setting().name(), status));
            Point p = point(set, testSet, t.share(), t.setting(), o);
            points.add(p);
            status = String.format(Locale.ROOT, " (last: minority %.1f%%, majority %.1f%%)",
                    100 * p.minority().accuracy(), 100 * p.majority().accuracy());
            progress.advance(1, String.format(Locale.ROOT, "share %s, %s%s", t.share(), t.setting().name(), status));
        }
        progress.finish(points.size() + " points");
        return points;
    }

    /**
     * Runs point {@code index} of {@link #tasks} alone: the same training set, initial weights and settings as in
     * {@link #run}, so a point run by any worker is the point the whole sweep would have run (up to DP noise, unless
     * seeded).
     */
    public static Point runPoint(Examples train, Examples test, Options o, int index) {
        Task t = task(o, index);
        int size = checkedSize(train, o);
        return point(ImbalanceSampler.sample(o.group(), train, t.share(), size, o.seed()),
                ImbalanceSampler.test(o.group(), test), t.share(), t.setting(), o);
    }

    private static Point point(ImbalanceSampler.TrainingSet set, ImbalanceSampler.TrainingSet testSet, double share,
                               Setting s, Options o) {
        long t0 = System.nanoTime();
        Examples train = set.examples();
        Network net = network(train, o);
        DpSgdPrivacy privacy;
        if (s.federated() != null) {
            privacy = DpFedAvgTraining.train(net, train, set.users(o.examplesPerUser()).examples(),
                    testSet.examples(), s.federated(), Progress.NONE).privacy();
        } else {
            GroupClipping groups = s.groupClipping() ? GroupClipping.of(set.minority(), s.training().expectedBatch(),
                    DpSgdTraining.noiseMultiplier(s.training(), train.size())) : null;
            privacy = DpSgdTraining.train(net, train, testSet.examples(), s.training(), groups, Progress.NONE)
                    .privacy();
        }
        return measure(net, set, testSet, share, s, o, privacy, t0);
    }

    /** The sweep's network for a training set: its model and activation, initialised from the sweep's seed. */
    public static Network network(Examples train, Options o) {
        return Network.of(train.shape(), DataType.FLOAT, Dl4jModels.layers(Dl4jModels.configuration(o.model(),
                train.numClasses(), o.activation(), o.seed()), train.shape()), o.seed());
    }

    /**
     * A federated point's training data as every worker computes it: its training set and users, and its setting.
     *
     * @param train    the point's training set
     * @param users    user u's example indices in {@code train}
     * @param federated the setting's DP-FedAvg options
     */
    public record FederatedData(Examples train, int[][] users, DpFedAvgTraining.Options federated) {
    }

    /**
     * Point {@code index}'s training set cut into users, as {@link #runPoint} trains it.
     *
     * @throws IllegalArgumentException if the point is not a federated setting's
     */
    public static FederatedData federatedData(Examples train, Options o, int index) {
        Task t = task(o, index);
        if (t.setting().federated() == null) {
            throw new IllegalArgumentException("point " + index + " (" + t.setting().name() + ") is not federated");
        }
        ImbalanceSampler.TrainingSet set = ImbalanceSampler.sample(o.group(), train, t.share(), checkedSize(train, o),
                o.seed());
        return new FederatedData(set.examples(), set.users(o.examplesPerUser()).examples(), t.setting().federated());
    }

    /** Whether point {@code index} is a federated setting's (its rounds run on a server, its users anywhere). */
    public static boolean isFederated(Options o, int index) {
        return task(o, index).setting().federated() != null;
    }

    private static Task task(Options o, int index) {
        List<Task> tasks = tasks(o);
        if (index < 0 || index >= tasks.size()) {
            throw new IllegalArgumentException("point " + index + " is outside the sweep's " + tasks.size() + " points");
        }
        return tasks.get(index);
    }

    /**
     * A federated point whose rounds the caller runs: {@link #server} draws each round's users and takes their
     * updates ({@link DpFedAvgTraining#localUpdate} on {@link #federatedData}, wherever it runs); {@link #finish}
     * measures the trained network as {@link #runPoint} does. With seeded sampling and noise the point equals
     * {@link #runPoint}'s.
     */
    public static final class FederatedPoint {

        private final ImbalanceSampler.TrainingSet set;
        private final ImbalanceSampler.TrainingSet testSet;
        private final Task task;
        private final Options o;
        private final Network net;
        private final DpFedAvgTraining.Server server;
        private final long started = System.nanoTime();

        /**
         * @throws IllegalArgumentException if the point is not a federated setting's, or its options do not fit
         */
        public FederatedPoint(Examples train, Examples test, Options o, int index) {
            this.task = task(o, index);
            if (task.setting().federated() == null) {
                throw new IllegalArgumentException("point " + index + " (" + task.setting().name()
                        + ") is not federated");
            }
            this.o = o;
            this.set = ImbalanceSampler.sample(o.group(), train, task.share(), checkedSize(train, o), o.seed());
            this.testSet = ImbalanceSampler.test(o.group(), test);
            this.net = network(set.examples(), o);
            this.server = new DpFedAvgTraining.Server(net, set.users(o.examplesPerUser()).examples(),
                    task.setting().federated());
        }

        public DpFedAvgTraining.Server server() {
            return server;
        }

        /** The point, measured once every round is done. */
        public Point finish() {
            if (!server.finished()) {
                throw new IllegalStateException("the point's rounds are not done");
            }
            return measure(net, set, testSet, task.share(), task.setting(), o, server.privacy(), started);
        }
    }

    /** The trained network's point: predictions, metrics and gradient norms on the test set. */
    private static Point measure(Network net, ImbalanceSampler.TrainingSet set, ImbalanceSampler.TrainingSet testSet,
                                 double share, Setting s, Options o, DpSgdPrivacy privacy, long t0) {
        Examples train = set.examples();
        Examples test = testSet.examples();
        List<Norms> groupNorms = null;
        if (s.federated() != null) {
            ImbalanceSampler.Users users = testSet.users(o.examplesPerUser());
            groupNorms = groupNorms(DpFedAvgTraining.updateNorms(net, test, users.examples(), s.federated()),
                    users.minority(), s.clipNorm());
        }
        int[] predicted = DpSgdTraining.predict(net, test, CHUNK);
        double[] norms = DpSgdTraining.gradientNorms(net, test, CHUNK); // releases the network's step memory
        boolean[] minority = testSet.minority();
        boolean[] majority = not(minority);
        int[] labels = test.labels();
        double clip = s.federated() != null ? Double.NaN : s.clipNorm(); // NaN: no example is above it
        List<Norms> classNorms = new ArrayList<>();
        for (int c = 0; c < test.numClasses(); c++) {
            boolean[] in = new boolean[labels.length];
            for (int i = 0; i < in.length; i++) {
                in[i] = labels[i] == c;
            }
            classNorms.add(norms("class " + c, norms, in, clip));
        }
        return new Point(share, s.name(), train.size(), set.minorityCount(),
                GroupMetrics.of("overall", labels, predicted, null, test.numClasses()),
                GroupMetrics.of("majority", labels, predicted, majority, test.numClasses()),
                GroupMetrics.of("minority", labels, predicted, minority, test.numClasses()),
                groupNorms != null ? groupNorms : groupNorms(norms, minority, clip),
                classNorms, privacy, (System.nanoTime() - t0) / 1e9);
    }

    /** The majority's and the minority's norms, {@code minority[i]} telling which group norm i belongs to. */
    private static List<Norms> groupNorms(double[] norms, boolean[] minority, double clip) {
        return List.of(norms("majority", norms, not(minority), clip), norms("minority", norms, minority, clip));
    }

    private static boolean[] not(boolean[] flags) {
        boolean[] out = new boolean[flags.length];
        for (int i = 0; i < flags.length; i++) {
            out[i] = !flags[i];
        }
        return out;
    }

    static Norms norms(String name, double[] norms, boolean[] in, double clip) {
        int n = 0;
        double sum = 0;
        int over = 0;
        for (int i = 0; i < norms.length; i++) {
            if (in[i]) {
                n++;
                sum += norms[i];
                over += norms[i] > clip ? 1 : 0;
            }
        }
        return new Norms(name, n, n == 0 ? Double.NaN : sum / n,
                n == 0 || Double.isNaN(clip) ? Double.NaN : (double) over / n);
    }
}

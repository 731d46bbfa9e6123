package dev.fedgan.core.fairness;

import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.dpsgd.Examples;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Training sets with a chosen share of the majority group, all of the same size, so that the points of a sweep
 * differ in their composition only.
 *
 * <p>At share p and size n a training set holds round(p·n) majority examples and the rest from the minority. Each
 * group's examples are taken from the start of one seeded permutation of its candidates, the same for every share,
 * so the minority examples at a larger share are among those at a smaller one. Candidates:
 * <ul>
 *   <li>{@link MinorityGroup.RareClass}: the class's examples for the minority, all others for the majority;</li>
 *   <li>{@link MinorityGroup.OfWriters} (listed, or by a column): the group's writers' examples for the minority,
 *       all others for the majority;</li>
 *   <li>{@link MinorityGroup.InvertedImages}: every example, one permutation of all of them: the first round(p·n)
 *       stay as they are and the next ones are inverted, so no image is in both groups.</li>
 * </ul>
 */
public final class ImbalanceSampler {

    /**
     * A training set and which of its examples are the minority's.
     *
     * @param examples the examples, majority first
     * @param minority per example, whether it belongs to the minority group
     */
    public record TrainingSet(Examples examples, boolean[] minority) {

        /**
         * The set cut into users for federated training, as {@link Users}: each group's examples, in the set's order
         * (a seeded draw), in runs of {@code perUser}, the last run of each group possibly shorter. A user's examples
         * are all of one group, as the inversion bug hits all of a user's images.
         */
        public Users users(int perUser) {
            if (perUser < 1) {
                throw new IllegalArgumentException("examples per user must be >= 1, got " + perUser);
            }
            List<int[]> users = new java.util.ArrayList<>();
            List<Boolean> flags = new java.util.ArrayList<>();
            for (boolean group : new boolean[] {false, true}) {
                int[] members = java.util.stream.IntStream.range(0, minority.length).filter(i -> minority[i] == group)
                        .toArray();
                for (int from = 0; from < members.length; from += perUser) {
                    users.add(java.util.Arrays.copyOfRange(members, from, Math.min(members.length, from + perUser)));
                    flags.add(group);
                }
            }
            boolean[] isMinority = new boolean[flags.size()];
            for (int u = 0; u < isMinority.length; u++) {
                isMinority[u] = flags.get(u);
            }
            return new Users(users.toArray(int[][]::new), isMinority);
        }

        public int minorityCount() {
            int k = 0;
            for (boolean m : minority) {
                k += m ? 1 : 0;
            }
            return k;
        }
    }

    /** Users of a set: {@code examples[u]} the indices of user u's examples, {@code minority[u]} its group. */
    public record Users(int[][] examples, boolean[] minority) {
    }

    private ImbalanceSampler() {
    }

    /** The largest size at which every share can be drawn from the training examples. */
    public static int largestSize(MinorityGroup group, Examples train, List<Double> shares) {
        if (group instanceof MinorityGroup.InvertedImages) {
            return train.size();
        }
        int[] counts = counts(members(group, train));
        double size = Double.POSITIVE_INFINITY;
        for (double p : shares) {
            checkShare(p);
            if (p > 0) {
                size = Math.min(size, counts[0] / p);
            }
            if (p < 1) {
                size = Math.min(size, counts[1] / (1 - p));
            }
        }
        return (int) Math.floor(size + 1e-9);
    }

    /**
     * The training set at majority share {@code share} and {@code size} examples.
     *
     * @throws IllegalArgumentException if a group has fewer candidates than the set needs, naming both numbers
     */
    public static TrainingSet sample(MinorityGroup group, Examples train, double share, int size, long seed) {
        checkShare(share);
        if (size < 1) {
            throw new IllegalArgumentException("the training set size must be >= 1, got " + size);
        }
        int majority = (int) Math.round(share * size);
        int minority = size - majority;
        int[] majorityIds;
        int[] minorityIds;
        if (!(group instanceof MinorityGroup.InvertedImages)) {
            boolean[] members = members(group, train);
            int[] counts = counts(members);
            int[] maj = new int[counts[0]];
            int[] min = new int[counts[1]];
            int a = 0;
            int b = 0;
            for (int i = 0; i < train.size(); i++) {
                if (members[i]) {
                    min[b++] = i;
                } else {
                    maj[a++] = i;
                }
            }
            majorityIds = first(maj, majority, seed, "majority (not " + group.describe() + ")", share, train);
            minorityIds = first(min, minority, seed + 1, "minority (" + group.describe() + ")", share, train);
        } else {
            if (size > train.size()) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "a training set of %d examples is larger"
                        + " than %s's %d", size, train.name(), train.size()));
            }
            int[] order = WriterPartition.permutation(train.size(), new SplittableRandom(seed));
            majorityIds = java.util.Arrays.copyOfRange(order, 0, majority);
            minorityIds = java.util.Arrays.copyOfRange(order, majority, size);
        }
        boolean invert = group instanceof MinorityGroup.InvertedImages;
        int pixels = Math.toIntExact(train.features().length / Math.max(1, train.size()));
        float[] features = new float[size * pixels];
        int[] labels = new int[size];
        String[] writers = train.writers() == null ? null : new String[size];
        boolean[] isMinority = new boolean[size];
        for (int k = 0; k < size; k++) {
            boolean m = k >= majority;
            int i = m ? minorityIds[k - majority] : majorityIds[k];
            float[] image = java.util.Arrays.copyOfRange(train.features(), i * pixels, (i + 1) * pixels);
            System.arraycopy(m && invert ? WriterData.invert(image) : image, 0, features, k * pixels, pixels);
            labels[k] = train.labels()[i];
            if (writers != null) {
                writers[k] = train.writers()[i];
            }
            isMinority[k] = m;
        }
        String name = String.format(Locale.ROOT, "%s at majority share %s", train.name(), share);
        return new TrainingSet(new Examples(name, train.fingerprint() + "@" + share + "/" + size + "/" + seed,
                train.shape(), features, labels, train.numClasses(), writers), isMinority);
    }

    /**
     * The test set and its minority flags: the class's or the listed writers' examples, or the whole set again
     * inverted.
     */
    public static TrainingSet test(MinorityGroup group, Examples test) {
        if (!(group instanceof MinorityGroup.InvertedImages)) {
            return new TrainingSet(test, members(group, test));
        }
        int n = test.size();
        float[] features = new float[test.features().length * 2];
        System.arraycopy(test.features(), 0, features, 0, test.features().length);
        System.arraycopy(WriterData.invert(test.features()), 0, features, test.features().length, test.features().length);
        int[] labels = new int[2 * n];
        System.arraycopy(test.labels(), 0, labels, 0, n);
        System.arraycopy(test.labels(), 0, labels, n, n);
        boolean[] minority = new boolean[2 * n];
        java.util.Arrays.fill(minority, n, 2 * n, true);
        return new TrainingSet(new Examples(test.name() + " and its inverted copy", test.fingerprint() + "+inverted",
                test.shape(), features, labels, test.numClasses()), minority);
    }

    private static int[] first(int[] candidates, int count, long seed, String what, double share, Examples train) {
        if (count > candidates.length) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "the %s group has %d examples in %s, but"
                    + " majority share %s needs %d: choose a smaller training set size", what, candidates.length,
                    train.name(), share, count));
        }
        int[] order = WriterPartition.permutation(candidates.length, new SplittableRandom(seed));
        int[] out = new int[count];
        for (int k = 0; k < count; k++) {
            out[k] = candidates[order[k]];
        }
        return out;
    }

    /** Which examples belong to a class or writers group. */
    private static boolean[] members(MinorityGroup group, Examples data) {
        boolean[] in = new boolean[data.size()];
        if (group instanceof MinorityGroup.RareClass rare) {
            checkClass(rare, data);
            for (int i = 0; i < in.length; i++) {
                in[i] = data.labels()[i] == rare.label();
            }
        } else if (group instanceof MinorityGroup.OfWriters writers) {
            if (data.writers() == null) {
                throw new IllegalArgumentException(data.name() + " does not say who wrote its examples: "
                        + writers.spec() + " needs data with writers");
            }
            for (int i = 0; i < in.length; i++) {
                in[i] = writers.ids().contains(data.writers()[i]);
            }
        } else {
            throw new IllegalArgumentException(group.describe() + " is not a group of examples");
        }
        return in;
    }

    private static int[] counts(boolean[] members) {
        int minority = 0;
        for (boolean m : members) {
            minority += m ? 1 : 0;
        }
        return new int[] {members.length - minority, minority};
    }

    private static void checkClass(MinorityGroup.RareClass rare, Examples data) {
        if (rare.label() >= data.numClasses()) {
            throw new IllegalArgumentException("class " + rare.label() + " does not exist in " + data.name() + " ("
                    + data.numClasses() + " classes)");
        }
    }

    static void checkShare(double share) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("a majority share must be in [0, 1], got " + share);
        }
    }
}

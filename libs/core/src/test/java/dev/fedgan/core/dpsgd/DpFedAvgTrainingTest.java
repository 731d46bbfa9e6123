package dev.fedgan.core.dpsgd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.privacy.ClientSampler;
import dev.fedgan.core.privacy.Conversion;
import dev.fedgan.core.privacy.DpSgdPrivacy;
import dev.fedgan.core.privacy.GaussianNoise;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.core.progress.Progress;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class DpFedAvgTrainingTest {

    private static final int CLASSES = DpSgdTrainingTest.CLASSES;
    private static final int USERS = 12;
    private static final int PER_USER = 5;
    /** Its first Poisson draw of users is 5, not m = 4: dividing by the drawn count would fail the round's test. */
    private static final long SEED = 3;

    private static Examples examples(String name, int n, long seed) {
        return DpSgdTrainingTest.examples(name, n, seed);
    }

    private static Network network() {
        return Network.of(new long[] {6}, DataType.FLOAT, List.of(new Dense(6, 5),
                new Activation(Activation.Function.TANH), new Dense(5, CLASSES)), 7);
    }

    /** User u holds examples 5u..5u+4. */
    private static int[][] users() {
        int[][] users = new int[USERS][PER_USER];
        for (int u = 0; u < USERS; u++) {
            for (int i = 0; i < PER_USER; i++) {
                users[u][i] = u * PER_USER + i;
            }
        }
        return users;
    }

    private static DpFedAvgTraining.Options options(Double z, Double target, int rounds, boolean nonPrivate) {
        return new DpFedAvgTraining.Options(0.3, z, target, 1e-3, Conversion.ORIGINAL, 4, rounds, 2, 3, 0.1, 1.0, 0,
                SEED, true, nonPrivate);
    }

    /**
     * One round is exactly: the users the seeded Poisson sampler draws with q = m/N; each trains the server's weights
     * for 2 local epochs of batches of 3 (its shuffles from the run's seed); each update (local − server) clipped to
     * S by min(1, S/‖Δ‖); their sum plus N(0, (zS)²) from the seeded noise stream, over m, added to the server's.
     */
    @Test
    void aRoundIsTheClippedSumOfLocalUpdatesPlusNoiseOverTheExpectedUsers() {
        Examples train = examples("train", USERS * PER_USER, 1);
        DpFedAvgTraining.Options o = options(1.3, null, 1, false);
        Network trained = network();
        DpFedAvgTraining.Result r = DpFedAvgTraining.train(trained, train, users(), examples("test", 20, 2), o,
                Progress.NONE);
        assertEquals(1, r.privacy().steps());

        Network manual = network();
        float[] server = manual.params().toFloatVector();
        int[] sampled = ClientSampler.seeded(SEED).sample(4.0 / USERS, USERS);
        assertEquals(5, sampled.length, "a Poisson draw, not exactly m");
        SplittableRandom shuffles = new SplittableRandom(SEED);
        double[] sum = new double[server.length];
        int clipped = 0;
        for (int u : sampled) {
            manual.params().assign(org.nd4j.linalg.factory.Nd4j.create(server, new long[] {1, server.length}, 'c'));
            SplittableRandom mine = new SplittableRandom(shuffles.nextLong()); // each user's seed, drawn in turn
            for (int e = 0; e < 2; e++) {
                int[] perm = WriterPartition.permutation(PER_USER, mine);
                int[] order = new int[PER_USER];
                for (int i = 0; i < PER_USER; i++) {
                    order[i] = u * PER_USER + perm[i];
                }
                for (int from = 0; from < PER_USER; from += 3) {
                    int to = Math.min(PER_USER, from + 3);
                    manual.clearGradient();
                    manual.addGradient(train.batch(order, from, to, DataType.FLOAT), train.labels(order, from, to),
                            Double.POSITIVE_INFINITY, false);
                    manual.params().subi(manual.gradient().mul(0.1 / (to - from)));
                }
            }
            float[] local = manual.params().toFloatVector();
            double norm = 0;
            for (int i = 0; i < local.length; i++) {
                norm += Math.pow((double) local[i] - server[i], 2);
            }
            norm = Math.sqrt(norm);
            clipped += norm > 0.3 ? 1 : 0;
            double scale = Math.min(1, 0.3 / norm);
            for (int i = 0; i < local.length; i++) {
                sum[i] += ((double) local[i] - server[i]) * scale;
            }
        }
        assertTrue(clipped > 0, "some update exceeds S, so clipping is exercised");
        GaussianNoise.seeded(SEED).addTo(sum, 1.3 * 0.3);
        float[] expected = new float[server.length];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = server[i] + (float) (sum[i] / 4);
        }
        assertArrayEquals(expected, trained.params().toFloatVector(), 1e-6f);
    }

    @Test
    void epsilonIsTheCalculatorsForTheRoundsOverUsers() {
        DpFedAvgTraining.Result r = DpFedAvgTraining.train(network(), examples("train", USERS * PER_USER, 1), users(),
                examples("test", 20, 2), options(0.9, null, 6, false), Progress.NONE);
        DpSgdPrivacy p = r.privacy();
        var calc = PrivacyCalculator.forPopulation(USERS, 4, 0.9, 6, 1e-3);
        assertEquals(calc.epsilonOriginal(), p.epsilonOriginal(), 1e-12);
        assertEquals(calc.epsilonImproved(), p.epsilonImproved(), 1e-12);
        assertEquals(USERS, p.examples(), "the records are the users");
        assertEquals(4.0 / USERS, p.q(), 0);
        assertEquals(DpFedAvgTraining.UNIT, p.unit());
        assertTrue(p.sampling().startsWith("Poisson sampling"), p.sampling());
    }

    @Test
    void aTargetEpsilonPicksTheNoiseForTheRounds() {
        DpFedAvgTraining.Result r = DpFedAvgTraining.train(network(), examples("train", USERS * PER_USER, 1), users(),
                examples("test", 20, 2), options(null, 4.0, 5, false), Progress.NONE);
        assertEquals(PrivacyCalculator.noiseMultiplierFor(4.0 / USERS, 5, 1e-3, 4.0, Conversion.ORIGINAL),
                r.privacy().noiseMultiplier(), 1e-12);
        assertTrue(r.privacy().epsilonOriginal() <= 4.0 + 1e-9, "within the target: " + r.privacy().epsilonOriginal());
        assertTrue(r.privacy().epsilonOriginal() > 3.5, "and near it: " + r.privacy().epsilonOriginal());
    }

    @Test
    void nonPrivateFedAvgLearnsTheTask() {
        Examples test = examples("test", 200, 2);
        double before = DpSgdTraining.evaluate(network(), test, 512)[1];
        DpFedAvgTraining.Result r = DpFedAvgTraining.train(network(), examples("train", USERS * PER_USER, 1), users(),
                test, options(null, null, 30, true), Progress.NONE);
        assertNull(r.privacy());
        assertTrue(r.testAccuracy() > 0.8 && r.testAccuracy() > before + 0.2, before + " -> " + r.testAccuracy());
    }

    @Test
    void absurdOptionsFailBeforeTraining() {
        Examples train = examples("train", USERS * PER_USER, 1);
        Examples test = examples("test", 20, 2);
        var tooMany = new DpFedAvgTraining.Options(0.3, 1.0, null, 1e-3, null, USERS + 1, 1, 1, 1, 0.1, 1, 0, 7, true,
                false);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DpFedAvgTraining.train(network(), train, users(),
                test, tooMany, Progress.NONE)).getMessage().contains("13 users per round exceed the 12 users"));
        var bigDelta = new DpFedAvgTraining.Options(0.3, 1.0, null, 0.1, null, 4, 1, 1, 1, 0.1, 1, 0, 7, true, false);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DpFedAvgTraining.train(network(), train, users(),
                test, bigDelta, Progress.NONE)).getMessage().contains("not below 1/N = 1/12"));
        int[][] empty = users();
        empty[3] = new int[0];
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DpFedAvgTraining.train(network(), train, empty,
                test, options(1.0, null, 1, false), Progress.NONE)).getMessage().contains("user 3 has no example"));
        assertThrows(IllegalArgumentException.class, () -> new DpFedAvgTraining.Options(0.3, 1.0, null, null, null, 4,
                0, 1, 1, 0.1, 1, 0, 7, true, false));
        assertThrows(IllegalArgumentException.class, () -> new DpFedAvgTraining.Options(0.3, 1.0, 2.0, null, null, 4,
                1, 1, 1, 0.1, 1, 0, 7, true, false));
    }
}

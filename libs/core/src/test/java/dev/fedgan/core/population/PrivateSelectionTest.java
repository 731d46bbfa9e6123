package dev.fedgan.core.population;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.measure.Measurement;
import dev.fedgan.core.measure.WriterAccuracy;
import dev.fedgan.core.privacy.Conversion;
import dev.fedgan.core.privacy.GaussianNoise;
import dev.fedgan.core.privacy.SelectionPrivacy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Private selection: devices decide, the server sees two noisy releases, the simulation's truth stays apart. */
class PrivateSelectionTest {

    @TempDir
    Path tmp;

    /** A user with {@code correct} of {@code total} examples right; the first ones correct. */
    static WriterAccuracy user(String id, int correct, int total, boolean inverted) {
        boolean[] c = new boolean[total];
        for (int i = 0; i < correct; i++) {
            c[i] = true;
        }
        return new WriterAccuracy(id, c, inverted);
    }

    /**
     * {@code n} users, 200 examples each: 30% with the bug (accuracy uniform in [0.05, 0.45]), 70% without
     * (uniform in [0.80, 1.00]).
     */
    static Measurement twoHumps(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<WriterAccuracy> users = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean inverted = rnd.nextDouble() < 0.3;
            double a = inverted ? 0.05 + 0.4 * rnd.nextDouble() : 0.8 + 0.2 * rnd.nextDouble();
            users.add(user(String.format("u%05d", i), (int) Math.round(200 * a), 200, inverted));
        }
        return new Measurement(users);
    }

    static List<Device> devices(Measurement m) {
        return m.writers().stream().map(Device::of).toList();
    }

    @Test
    void aDeviceKnowsItsBinAndDecidesItsMembershipFromTheThresholds() {
        assertEquals(4, new Device("a", 8, 40).bin(20), "8/40 = 0.2 sits on an edge: the bin above it");
        assertEquals(3, new Device("a", 7, 40).bin(20));
        assertEquals(19, new Device("a", 40, 40).bin(20), "accuracy 1 in the last bin");
        assertEquals(0, new Device("a", 0, 40).bin(20));
        assertEquals(Device.Membership.LOW_ACCURACY, new Device("a", 7, 40).membership(0.2, 0.9));
        assertEquals(Device.Membership.NEITHER, new Device("a", 8, 40).membership(0.2, 0.9), "not < 0.2");
        assertEquals(Device.Membership.NEITHER, new Device("a", 36, 40).membership(0.2, 0.9), "not > 0.9");
        assertEquals(Device.Membership.HIGH_ACCURACY, new Device("a", 37, 40).membership(0.2, 0.9));
        assertThrows(IllegalArgumentException.class, () -> new Device("a", 5, 40).membership(0.5, 0.4));
        // With thresholds on bin edges, low_accuracy is exactly the bins below the low edge.
        for (int k = 0; k <= 40; k++) {
            Device d = new Device("a", k, 40);
            assertEquals(d.bin(20) < 4, d.membership(0.2, 0.9) == Device.Membership.LOW_ACCURACY, "k " + k);
        }
    }

    @Test
    void noisyCountsAndBinsAreUnbiasedWithStandardDeviationZ() {
        Measurement m = twoHumps(400, 1);
        List<Device> devices = devices(m);
        double z = 5;
        double[] exactCounts = PrivateSelection.noisyCounts(devices, 0.3, 0.9, 0, GaussianNoise.seeded(0));
        assertEquals(exactCounts[0], Math.rint(exactCounts[0]), "no noise: the exact count");
        double[] exactBins = PrivateSelection.noisyHistogram(devices, PrivateSelection.BINS, 0, GaussianNoise.seeded(0));
        int n = 4000;
        GaussianNoise noise = GaussianNoise.seeded(11);
        double[] sum = new double[2];
        double[] sumSq = new double[2];
        double[] binSum = new double[PrivateSelection.BINS];
        for (int i = 0; i < n; i++) {
            double[] c = PrivateSelection.noisyCounts(devices, 0.3, 0.9, z, noise);
            double[] h = PrivateSelection.noisyHistogram(devices, PrivateSelection.BINS, z, noise);
            for (int k = 0; k < 2; k++) {
                sum[k] += c[k] - exactCounts[k];
                sumSq[k] += (c[k] - exactCounts[k]) * (c[k] - exactCounts[k]);
            }
            for (int b = 0; b < h.length; b++) {
                binSum[b] += h[b] - exactBins[b];
            }
        }
        // Mean error within 4 standard errors (z / sqrt(n)); standard deviation z within 4 of its standard errors.
        for (int k = 0; k < 2; k++) {
            assertEquals(0, sum[k] / n, 4 * z / Math.sqrt(n), "count " + k);
            assertEquals(z, Math.sqrt(sumSq[k] / n), 4 * z / Math.sqrt(2.0 * n), "count " + k);
        }
        for (int b = 0; b < binSum.length; b++) {
            assertEquals(0, binSum[b] / n, 4 * z / Math.sqrt(n), "bin " + b);
        }
    }

    @Test
    void chosenThresholdsLieOnBinEdgesNearTheTruePercentiles() {
        Measurement m = twoHumps(5000, 2);
        double p25 = m.percentile(25);
        double p75 = m.percentile(75);
        List<Device> devices = devices(m);
        for (long seed = 0; seed < 20; seed++) {
            double[] h = PrivateSelection.noisyHistogram(devices, PrivateSelection.BINS, 5, GaussianNoise.seeded(seed));
            SelectionRelease.Thresholds t = PrivateSelection.chooseThresholds(h, null, null);
            assertOnEdge(t.low());
            assertOnEdge(t.high());
            // The low threshold is the upper edge of p25's bin, the high one the lower edge of p75's: within a bin.
            assertTrue(t.low() > p25 - 1e-9 && t.low() <= p25 + 0.05 + 1e-9, "seed " + seed + ": low " + t.low()
                    + ", p25 " + p25);
            assertTrue(t.high() <= p75 + 1e-9 && t.high() > p75 - 0.05 - 1e-9, "seed " + seed + ": high " + t.high()
                    + ", p75 " + p75);
            assertTrue(t.lowFrom().startsWith("chosen") && t.highFrom().startsWith("chosen"), t.toString());
        }
    }

    private static void assertOnEdge(double t) {
        double j = t * PrivateSelection.BINS;
        assertEquals(Math.rint(j), j, 1e-9, t + " is not a bin edge");
        assertTrue(t > 0 && t < 1, t + " must be inside (0, 1)");
    }

    @Test
    void thresholdRulesForGivenAndDegenerateHistograms() {
        double[] h = new double[20];
        h[2] = 10;
        h[18] = 30;
        SelectionRelease.Thresholds t = PrivateSelection.chooseThresholds(h, null, null);
        assertEquals(0.15, t.low(), 0, "25% of 40 is reached in bin 2: its upper edge");
        assertEquals(0.9, t.high(), 0, "75% of 40 is reached in bin 18: its lower edge");
        assertEquals(0.4, PrivateSelection.chooseThresholds(h, 0.4, null).low());
        assertEquals("given", PrivateSelection.chooseThresholds(h, 0.4, null).lowFrom());
        assertEquals(0.9, PrivateSelection.chooseThresholds(h, 0.4, null).high());
        IllegalArgumentException conflict = assertThrows(IllegalArgumentException.class,
                () -> PrivateSelection.chooseThresholds(h, 0.95, null));
        assertTrue(conflict.getMessage().contains("given low threshold 0.95 is above the high threshold 0.9 chosen"),
                conflict.getMessage());
        // Negative bins count as 0: a histogram of noise only below zero cannot choose.
        assertThrows(IllegalArgumentException.class,
                () -> PrivateSelection.chooseThresholds(new double[] {-1, -2, 0, -0.5}, null, null));
        // Everything in one bin: both thresholds on its lower edge, so the populations stay disjoint.
        double[] one = new double[20];
        one[19] = 100;
        SelectionRelease.Thresholds same = PrivateSelection.chooseThresholds(one, null, null);
        assertEquals(0.95, same.low());
        assertEquals(0.95, same.high());
        assertEquals(1, PrivateSelection.populationSize(-7.2));
        assertEquals(1, PrivateSelection.populationSize(0.4));
        assertEquals(24, PrivateSelection.populationSize(23.5));
    }

    @Test
    void theReleaseHoldsNoExactCountAndNoUserId() throws Exception {
        Measurement m = twoHumps(300, 3);
        PrivateSelection.Settings s = PrivateSelection.Settings.of(null, null, 5, null, null, 300);
        assertEquals(SelectionPrivacy.DEFAULT_NOISE_MULTIPLIER, s.noiseMultiplier());
        assertEquals(1e-5, s.delta());
        PrivateSelection.Result r = PrivateSelection.select(m, s, GaussianNoise.seeded(5));
        JsonNode json = Json.MAPPER.readTree(Json.toString(r.release()));
        assertEquals(List.of("mechanism", "users", "users_left_out", "noise_multiplier", "noise", "secure_noise",
                "histogram", "thresholds", "populations", "privacy"), names(json));
        assertEquals(List.of("bins", "bin_width", "noisy_counts"), names(json.get("histogram")));
        assertEquals(List.of("gan", "rule", "noisy_count", "population_size"), names(json.get("populations").get(0)));
        assertEquals(300, json.get("users").asInt());
        // The exact counts are the simulation's; the released ones differ from them, none is an integer.
        int[] exact = r.exact().histogram();
        JsonNode noisy = json.get("histogram").get("noisy_counts");
        assertEquals(exact.length, noisy.size());
        for (int b = 0; b < exact.length; b++) {
            assertNotEquals(exact[b], noisy.get(b).asDouble(), "bin " + b);
            assertNotEquals(Math.rint(noisy.get(b).asDouble()), noisy.get(b).asDouble(), "bin " + b);
        }
        int[] members = {r.exact().lowMembers(), r.exact().highMembers()};
        assertEquals(r.low().inversion().size(), members[0]);
        for (int k = 0; k < 2; k++) {
            JsonNode p = json.get("populations").get(k);
            assertNotEquals((double) members[k], p.get("noisy_count").asDouble());
            assertEquals(PrivateSelection.populationSize(p.get("noisy_count").asDouble()), p.get("population_size").asInt());
        }
        assertEquals(r.lowSize(), json.get("populations").get(0).get("population_size").asInt());
        String text = json.toString();
        for (WriterAccuracy w : m.writers()) {
            assertFalse(text.contains(w.writerId()), w.writerId());
        }
        // The cost, as SelectionPrivacy computes it, at the experiment's δ.
        JsonNode privacy = json.get("privacy");
        assertEquals(2, privacy.get("releases").asInt());
        assertEquals(SelectionPrivacy.of(5).epsilon(1e-5, Conversion.IMPROVED).epsilon(),
                privacy.get("epsilon_improved").asDouble(), 0);
        assertEquals(2.0 / 25, privacy.get("rdp").get(3).asDouble(), 1e-15, "order 2");
        assertTrue(privacy.get("delta_is_default").asBoolean());
        assertFalse(json.get("secure_noise").asBoolean(), "seeded");
    }

    @Test
    void theDevicesDecisionsAreThePopulationsTheSimulationTrainsOn() {
        Measurement m = twoHumps(300, 4);
        PrivateSelection.Result r = PrivateSelection.select(m, PrivateSelection.Settings.of(0.5, 0.9, 5, 5.0, 1e-6, 300),
                GaussianNoise.seeded(6));
        assertEquals("given", r.release().thresholds().lowFrom());
        List<String> low = new ArrayList<>();
        List<String> high = new ArrayList<>();
        for (WriterAccuracy w : m.writers()) {
            switch (Device.of(w).membership(0.5, 0.9)) {
                case LOW_ACCURACY -> low.add(w.writerId());
                case HIGH_ACCURACY -> high.add(w.writerId());
                default -> {
                }
            }
        }
        assertEquals(low, List.copyOf(r.low().inversion().keySet()));
        assertEquals(high, List.copyOf(r.high().inversion().keySet()));
        assertEquals("accuracy < 0.5", r.release().population("low_accuracy").rule());
        assertEquals(1e-6, r.release().privacy().delta());
        assertFalse(r.release().privacy().deltaIsDefault());
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> PrivateSelection.checkClientsPerRound(r.release(), 10_000));
        assertTrue(small.getMessage().startsWith("population low_accuracy (accuracy < 0.5) has the noisy size N̂ = "),
                small.getMessage());
    }

    @Test
    void theReleaseAndTheSimulationsGroundTruthAreWrittenApart() throws Exception {
        Measurement m = twoHumps(200, 5);
        PrivateSelection.Result r = PrivateSelection.select(m, PrivateSelection.Settings.of(null, null, 5, null, null, 200),
                GaussianNoise.seeded(7));
        PrivateSelection.write(tmp, r);
        assertEquals(new TreeSet<>(List.of("selection/accuracy_histogram.png", "selection/selection.json"))
                , files(tmp.resolve("selection"), tmp));
        TreeSet<String> simulation = files(tmp.resolve("simulation"), tmp);
        assertTrue(simulation.containsAll(List.of("simulation/README.txt", "simulation/selection_exact.json",
                "simulation/populations/by_user/acc_lt" + PopulationFilters.tag(r.release().thresholds().low())
                        + "/client_ids.csv",
                "simulation/populations/by_example/min_num_examples_5/incorrect/example_indices_map.csv")), simulation.toString());
        String readme = Files.readString(tmp.resolve("simulation/README.txt"));
        assertTrue(readme.startsWith("Simulation ground truth: NOT a release.") && readme.contains("per-user values")
                && readme.contains("A real deployment has none of it"), readme);
        byte[] png = Files.readAllBytes(tmp.resolve("selection/accuracy_histogram.png"));
        assertTrue(png.length > 5000 && png[1] == 'P', "a PNG");
        SelectionRelease back = Json.read(tmp.resolve("selection/selection.json"), SelectionRelease.class);
        assertArrayEquals(r.release().histogram().noisyCounts(), back.histogram().noisyCounts());
        for (String f : files(tmp.resolve("selection"), tmp)) {
            if (f.endsWith(".json")) {
                String text = Files.readString(tmp.resolve(f));
                assertFalse(text.contains("u00"), f + " names a user");
            }
        }
    }

    @Test
    void absurdSettingsAreRejectedBeforeAnyWork() {
        assertThrows(IllegalArgumentException.class, () -> PrivateSelection.Settings.of(null, null, 5, 0.0, null, 100));
        assertThrows(IllegalArgumentException.class, () -> PrivateSelection.Settings.of(null, null, 5, Double.NaN, null, 100));
        IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class,
                () -> PrivateSelection.check(0.9, 0.5, 5, 5));
        assertTrue(overlap.getMessage().contains("would overlap"), overlap.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PrivateSelection.check(1.5, null, 5, 5));
        assertThrows(IllegalArgumentException.class, () -> PrivateSelection.Settings.of(null, null, 5, null, 1.5, 100));
        // δ defaults to min(1e-5, N_field^-1.1) for the data set's users, not a population's size.
        assertEquals(Math.pow(100_000, -1.1), PrivateSelection.delta(null, 100_000), 0);
        assertEquals(1e-5, PrivateSelection.delta(null, 25), 0);
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }

    private static TreeSet<String> files(Path dir, Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /**
     * A user with a single example cannot train a critic: it takes no part (a TFF file with such a user used to stop
     * fedgan debug at the first round), N_field counts the others, and the release says how many were left out.
     */
    @Test
    void usersTooSmallToTrainAreLeftOutAndCounted() {
        dev.fedgan.core.data.FederatedDataset loaded = dev.fedgan.core.data.DatasetLoader.load("bundled:field",
                dev.fedgan.core.data.WriterPartition.Options.DEFAULT);
        String tiny = loaded.writers().get(3).id();
        dev.fedgan.core.data.FederatedDataset withTiny = loaded.mapWriters("one tiny",
                w -> w.id().equals(tiny) ? w.select(new int[] {0}) : w);
        PrivateSelection.Field f = PrivateSelection.field(withTiny);
        assertEquals(1, f.leftOut());
        assertEquals(loaded.numWriters() - 1, f.users().numWriters());
        assertTrue(f.users().writers().stream().noneMatch(w -> w.id().equals(tiny)));
        assertEquals(0, PrivateSelection.field(loaded).leftOut());
        assertSame(loaded, PrivateSelection.field(loaded).users());

        Measurement m = twoHumps(50, 3);
        SelectionRelease r = PrivateSelection.select(m, PrivateSelection.Settings.of(0.5, 0.7, 5, 5.0, 1e-5, 50),
                dev.fedgan.core.privacy.GaussianNoise.seeded(1), 4).release();
        assertEquals(50, r.users());
        assertEquals(4, r.usersLeftOut());

        dev.fedgan.core.data.FederatedDataset allTiny = loaded.mapWriters("all tiny", w -> w.select(new int[] {0}));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PrivateSelection.field(allTiny)).getMessage()
                .contains("has 2 examples, the fewest a client can train on"));
    }
}

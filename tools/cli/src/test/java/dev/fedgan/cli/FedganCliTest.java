package dev.fedgan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fedgan.core.io.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: exit codes, one-line errors, --json, and the files it writes. */
class FedganCliTest {

    @TempDir
    Path tmp;

    record Run(int status, String out, String err) {
    }

    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = FedganCli.run(args);
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(FedganCliTest.class.getResource("/fixtures/" + name).toURI());
    }

    @Test
    void inspectReportsTheTffFixtureAsJson() throws Exception {
        Run r = run("data", "inspect", fixture("fed_emnist_digitsonly_tiny_train.h5").toString(), "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertEquals("TFF Federated EMNIST (HDF5)", j.get("format").asText());
        assertEquals(12, j.get("writers").asInt());
        assertEquals(188, j.get("examples").asInt());
        assertEquals(10, j.get("classes").asInt());
        assertFalse(j.get("looks_inverted").asBoolean());
    }

    @Test
    void inspectSummarisesAFolderOfColourImagesAndDrawsThem() throws Exception {
        Path dir = tmp.resolve("photos");
        dev.fedgan.core.data.ColourShapes.writePngs(dev.fedgan.core.data.ColourShapes.generate(6, 2, 32, 1), dir);
        Path preview = tmp.resolve("preview.png");
        Run r = run("data", "inspect", dir.toString(), "--side", "16", "--preview", preview.toString(), "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertEquals("folder", j.get("layout").asText());
        assertEquals(6, j.get("images").asInt());
        assertEquals(2, j.get("clients").asInt(), "c000 and c001, by subfolder");
        assertEquals(3, j.get("median_client").asDouble(), 0);
        assertEquals(3, j.get("channel_means").size());
        java.awt.image.BufferedImage grid = javax.imageio.ImageIO.read(preview.toFile());
        assertEquals(List.of(6 * 16, 16), List.of(grid.getWidth(), grid.getHeight()), "six 16-pixel images in a row");
        Run bad = run("data", "inspect", "shapes:x");
        assertTrue(bad.err().contains("shapes:N needs a number of images"), bad.err());
    }

    /** The RGB DCGAN in one JVM at tiny widths: its files, and the clients' ε as the calculator gives it. */
    @Test
    void rgbTrainsTheDpDcganAndWritesGridsAGifAndRounds() throws Exception {
        Path out = tmp.resolve("rgb");
        Run r = run("rgb", "--images", "16", "--clients", "even:2", "--widths", "2,2", "--rounds", "2",
                "--local-steps", "1", "--batch", "4", "-z", "1.5", "--out", out.toString(), "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertEquals(2, j.get("clients").asInt());
        // each client: 8 images, q = 4/8, 2 steps (one per round), z = 1.5
        double expected = dev.fedgan.core.privacy.PrivacyCalculator.forSamplingRate(0.5, 1.5, 2, 1e-5)
                .epsilonOriginal();
        assertEquals(expected, j.get("epsilon").asDouble(), 1e-9 * expected);
        List<String> rows = Files.readAllLines(out.resolve("rounds.csv"));
        assertEquals(3, rows.size());
        double fd = j.get("frechet_distance").asDouble(); // shapes: the quality figure by default
        assertTrue(fd > 0, r.out());
        assertTrue(rows.get(2).endsWith(String.format(java.util.Locale.ROOT, ",%.4f", fd)), rows.get(2));
        assertTrue(Files.size(out.resolve("training.gif")) > 1000);
        String report = Files.readString(out.resolve("report.html"));
        assertTrue(report.contains(String.format(java.util.Locale.ROOT, "Largest client ε = %.3f", expected)), report);
        assertTrue(Files.isRegularFile(out.resolve("quality.png")));
        java.awt.image.BufferedImage grid = javax.imageio.ImageIO.read(out.resolve("grids/round-0002.png").toFile());
        assertEquals(List.of(8 * 64, 4 * 64), List.of(grid.getWidth(), grid.getHeight()));
        // user level: 3 clients, m = 2 (q = 2/3), one accountant step per round, delta min(1e-5, 3^-1.1) = 1e-5
        Run user = run("rgb", "--user-level", "-m", "2", "--images", "24", "--clients", "even:3", "--widths", "2,2",
                "--rounds", "2", "--local-steps", "1", "--generator-steps", "1", "--batch", "4", "-z", "1.1",
                "--quality", "off", "--out", tmp.resolve("rgb-user").toString(), "--json");
        assertEquals(0, user.status(), user.err());
        JsonNode u = Json.MAPPER.readTree(user.out());
        assertEquals("user level", u.get("privacy").asText());
        double userEpsilon = dev.fedgan.core.privacy.PrivacyCalculator.forPopulation(3, 2, 1.1, 2, 1e-5)
                .epsilonOriginal();
        assertEquals(userEpsilon, u.get("epsilon").asDouble(), 1e-9 * userEpsilon);
        assertTrue(Files.isRegularFile(tmp.resolve("rgb-user/training.gif")));
        // WGAN-GP: the penalty inside each real image's clipped gradient, so the same steps charged as above
        Run wgan = run("rgb", "--loss", "wgan-gp", "--images", "16", "--clients", "even:2", "--widths", "2,2",
                "--rounds", "2", "--local-steps", "1", "--batch", "4", "-z", "1.5", "--quality", "off", "--out",
                tmp.resolve("rgb-wgan").toString(), "--json");
        assertEquals(0, wgan.status(), wgan.err());
        assertEquals(expected, Json.MAPPER.readTree(wgan.out()).get("epsilon").asDouble(), 1e-9 * expected);
        assertTrue(Files.readString(tmp.resolve("rgb-wgan/report.html")).contains("WGAN-GP"));
        Run noSuchLoss = run("rgb", "--loss", "wgan", "--out", out.toString());
        assertTrue(noSuchLoss.status() != 0 && noSuchLoss.err().contains("dcgan or wgan-gp, got 'wgan'"),
                noSuchLoss.err());
        Run tooMany = run("rgb", "--user-level", "-m", "4", "--submit", "x", "--images", "24", "--clients", "even:3");
        assertTrue(tooMany.status() != 0 && tooMany.err().contains("3 clients and m = 4"), tooMany.err());
        Run bad = run("rgb", "--images", "16", "--clients", "even:2", "--batch", "9", "--out", out.toString());
        assertTrue(bad.status() != 0 && bad.err().contains("fewer than the expected batch of 9"), bad.err());
        Run skew = run("rgb", "--images", "16", "--clients", "dirichlet:2:half:red", "--out", out.toString());
        assertTrue(skew.status() != 0 && skew.err().contains("dirichlet:K:ALPHA:ATTR"), skew.err());
    }

    @Test
    void badInputFailsWithOneLineNamingTheFile() throws Exception {
        Path junk = tmp.resolve("broken.h5");
        byte[] h5 = Files.readAllBytes(fixture("fed_emnist_digitsonly_tiny_train.h5"));
        Files.write(junk, java.util.Arrays.copyOf(h5, 3000));
        Run r = run("data", "inspect", junk.toString());
        assertEquals(1, r.status());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("fedgan: error: " + junk), lines.get(0));
        assertEquals("", r.out());
    }

    @Test
    void absurdParametersAreRejectedBeforeAnyWork() {
        Run p = run("debug", "-p", "1.5", "--out", tmp.toString());
        assertEquals(1, p.status());
        assertEquals("fedgan: error: inversion probability must be in [0, 1], got 1.5", p.err().strip());
        Run epochs = run("classifier", "train", "--epochs", "0", "--out", tmp.toString());
        assertEquals(1, epochs.status());
        assertTrue(epochs.err().contains("epochs must be in [1, 1000], got 0"), epochs.err());
        Run low = run("debug", "--low", "2", "--out", tmp.toString());
        assertEquals("fedgan: error: low accuracy threshold must be in [0, 1], got 2.0", low.err().strip());
        assertFalse(Files.exists(tmp.resolve("classifier")), "nothing was trained");
        Run usage = run("measure", "--no-such-option");
        assertEquals(2, usage.status());
        assertEquals("fedgan: error: --classifier-dp needs either --classifier-noise-multiplier or "
                + "--classifier-target-epsilon, not neither", run("debug", "--classifier-dp", "--out", tmp.toString())
                .err().strip());
        assertEquals("fedgan: error: the --classifier-* DP-SGD options need --classifier-dp",
                run("debug", "--classifier-noise-multiplier", "1", "--out", tmp.toString()).err().strip());
        assertEquals("fedgan: error: --classifier-dp-momentum must be in [0.0, 1.0), got 1.0", run("debug",
                "--classifier-dp", "--classifier-target-epsilon", "3", "--classifier-dp-momentum", "1", "--out",
                tmp.toString()).err().strip());
        assertEquals("fedgan: error: --classifier-dp trains the classifier; it cannot apply to --classifier", run("debug",
                "--classifier-dp", "--classifier-noise-multiplier", "1", "--classifier", tmp.toString(), "--out",
                tmp.toString()).err().strip());
        assertFalse(Files.exists(tmp.resolve("classifier")), "nothing was trained");
    }

    /**
     * {@code debug --classifier-dp} trains the classifier as the filter does for classifier_privacy: DP-SGD, here
     * seeded with the run (--seeded-privacy-noise), the guarantee in classifier.json and in the summary.
     */
    @Test
    void debugTrainsTheClassifierWithDpSgdWhenAsked() throws Exception {
        Path out = tmp.resolve("dp");
        Run r = run("debug", "--classifier-dp", "--classifier-noise-multiplier", "1.1", "--classifier-dp-batch", "256",
                "--epochs", "1", "--no-gans", "--seeded-privacy-noise", "3", "--out", out.toString());
        assertEquals(0, r.status(), r.err());
        JsonNode provenance = Json.MAPPER.readTree(out.resolve("classifier/classifier.json").toFile());
        JsonNode privacy = provenance.get("privacy");
        assertTrue(privacy.isObject(), "the guarantee in classifier.json: " + privacy);
        long n = provenance.get("train_examples").asLong();
        assertEquals(6000, n + provenance.get("test_examples").asLong(), "the lab data less its held-out writers");
        assertEquals(n, privacy.get("examples").asLong());
        long steps = dev.fedgan.core.privacy.PrivacyCalculator.stepsForEpochs(n, 256, 1);
        assertEquals(steps, privacy.get("steps").asInt(), "one epoch of the lab training split at B 256");
        assertEquals(1.1, privacy.get("noise_multiplier").asDouble());
        assertTrue(privacy.get("noise").asText().startsWith("seeded"), privacy.toString());
        double eps = dev.fedgan.core.privacy.PrivacyCalculator.estimate(null, null, 256.0 / n, 1.1, steps, 1e-5, null)
                .epsilonOriginal();
        assertEquals(eps, privacy.get("epsilon_original").asDouble(), 1e-9);
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "sample-level (epsilon, delta)-DP for one "
                + "training example of the lab data (bundled:lab:train, %d examples), not for a user: epsilon = %.4g", n, eps))
                && r.out().contains("seeded: NOT private."), r.out());
    }

    @Test
    void helpExplainsTheWorkflow() {
        Run r = run("--help");
        assertEquals(0, r.status());
        for (String word : List.of("debug", "classifier", "measure", "filter", "data", "bundled:field")) {
            assertTrue(r.out().contains(word), word + " in help");
        }
        Run sub = run("filter", "by-user", "--help");
        assertTrue(sub.out().contains("strict <") && sub.out().contains("25th percentile"), sub.out());
    }

    @Test
    void trainMeasureAndFilterWriteTheReferenceFiles() throws Exception {
        Path clf = tmp.resolve("clf");
        Run train = run("classifier", "train", "--epochs", "1", "--out", clf.toString(), "--quiet", "--json");
        assertEquals(0, train.status(), train.err());
        JsonNode prov = Json.MAPPER.readTree(train.out()).get("provenance");
        assertEquals("bundled:field", prov.get("test_data").asText());
        assertTrue(prov.get("test_accuracy").asDouble() > 0.9, "one epoch already gives > 90%: " + prov);

        Path meas = tmp.resolve("measurement");
        Run m = run("measure", "--model", clf.toString(), "-p", "0.5", "--out", meas.toString(), "--json");
        assertEquals(0, m.status(), m.err());
        JsonNode ms = Json.MAPPER.readTree(m.out());
        assertEquals(100, ms.get("writers").asInt());
        assertEquals(100, sum(ms.get("histogram")));
        assertTrue(m.err().contains("measuring writers") && m.err().contains("100%"), "progress on stderr: " + m.err());
        assertTrue(Files.size(meas.resolve("accuracy_histogram.png")) > 5_000);

        Path pops = tmp.resolve("populations");
        Run byUser = run("filter", "by-user", "--measurement", meas.toString(), "--low", "0.5", "--high", "0.9",
                "--out", pops.toString(), "--json");
        assertEquals(0, byUser.status(), byUser.err());
        JsonNode low = Json.MAPPER.readTree(byUser.out()).get(0);
        assertTrue(low.get("precision").asDouble() >= 0.9, low.toString());
        String csv = Files.readString(pops.resolve("by_user/acc_lt0p5/client_ids.csv"));
        assertTrue(csv.matches("(w\\d\\d,(True|False)\r\n)+"), csv);

        Run byExample = run("filter", "by-example", "--measurement", meas.toString(), "--out", pops.toString());
        assertEquals(0, byExample.status(), byExample.err());
        String idx = Files.readString(pops.resolve("by_example/min_num_examples_5/correct/example_indices_map.csv"));
        assertTrue(idx.lines().allMatch(l -> l.matches("w\\d\\d,\"\\[\\d+(, \\d+)*]\"")), idx);

        debugFindsTheInvertedUsersWithTwoGans(clf);
        debugPrivateSpendsWhatItPlanned(clf);
        debugLeavesOutUsersTooSmallToTrain(clf);
    }

    /**
     * Real federated data has users with a single example, too few for a critic step: they take no part (they used to
     * stop the run at its first round), and the release counts them apart from N_field.
     */
    void debugLeavesOutUsersTooSmallToTrain(Path clf) throws Exception {
        dev.fedgan.core.data.FederatedDataset field = dev.fedgan.core.data.DatasetLoader.load("bundled:field",
                dev.fedgan.core.data.WriterPartition.Options.DEFAULT);
        StringBuilder users = new StringBuilder();
        StringBuilder sizes = new StringBuilder();
        StringBuilder data = new StringBuilder();
        for (int w = 0; w < 9; w++) {
            int n = w == 4 ? 1 : 12; // the fifth user holds one example
            String id = "f" + w;
            users.append(w == 0 ? "" : ",").append('"').append(id).append('"');
            sizes.append(w == 0 ? "" : ",").append(n);
            data.append(w == 0 ? "" : ",").append('"').append(id).append("\":{\"x\":[");
            dev.fedgan.core.data.WriterData src = field.writers().get(w);
            for (int i = 0; i < n; i++) {
                data.append(i == 0 ? "[" : ",[");
                for (int p = 0; p < dev.fedgan.core.data.WriterData.PIXELS; p++) {
                    float v = src.pixels()[i * dev.fedgan.core.data.WriterData.PIXELS + p]; // [-1, 1], -1 background
                    data.append(p == 0 ? "" : ",").append(String.format(java.util.Locale.ROOT, "%.3f", (1 - v) / 2));
                }
                data.append(']');
            }
            data.append("],\"y\":").append(java.util.Arrays.toString(java.util.Arrays.copyOf(src.labels(), n)))
                    .append('}');
        }
        Path leaf = tmp.resolve("tiny-users.json");
        Files.writeString(leaf, "{\"users\":[" + users + "],\"num_samples\":[" + sizes + "],\"user_data\":{" + data
                + "}}");
        Run r = run("debug", "--classifier", clf.toString(), "--data", leaf.toString(), "--out",
                tmp.resolve("tiny").toString(), "--rounds", "2", "-m", "1", "--images-every", "2",
                "--seeded-privacy-noise", "3",
                "--quiet", "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode selection = Json.MAPPER.readTree(r.out()).get("selection");
        assertEquals(8, selection.get("users").asInt(), selection.toString());
        assertEquals(1, selection.get("users_left_out").asInt(), selection.toString());
        assertTrue(Files.readString(tmp.resolve("tiny/report.html")).contains("1 more users of the data set hold fewer"
                + " than 2 examples"));
    }

    /** --private on the bundled 100 writers: refused before any work, with the data set size that would do. */
    @Test
    void debugPrivateSaysTheBundledPopulationIsTooSmall() {
        Run r = run("debug", "--private", "--out", tmp.resolve("too-small").toString());
        assertEquals(1, r.status(), r.err());
        int needed = dev.fedgan.core.gan.PrivatePlan.populationNeeded(10, 1e-5,
                dev.fedgan.core.privacy.SelectionPrivacy.of(5), 100, dev.fedgan.core.gan.GanPreset.PRIVATE.criticWeights());
        assertTrue(r.err().startsWith("fedgan: error: 100 users cannot give a verdict at epsilon <= 10.0 (delta 1.00e-05,"
                + " 100 rounds): their populations of about 25 users each need noise z = ")
                && r.err().contains("it takes a data set of at least " + needed + " users"), r.err());
        assertFalse(Files.exists(tmp.resolve("too-small/classifier")), "refused before the classifier trains");
        Run demo = run("demo", "--private", "--out", tmp.resolve("demo-too-small").toString());
        assertEquals(1, demo.status(), demo.err());
        assertTrue(demo.err().startsWith("fedgan: error: 100 users cannot give a verdict at epsilon <= 10.0")
                && demo.err().contains("it takes a data set of at least " + needed + " users"), demo.err());
        assertFalse(Files.exists(tmp.resolve("demo-too-small")), "refused before the services start");
        assertEquals("fedgan: error: --fixed-clip: the services' private plan always clips adaptively; --clip-quantile"
                + " sets the quantile it follows", run("demo", "--private", "--fixed-clip", "--out",
                tmp.resolve("demo-fixed").toString()).err().strip());
        assertEquals("fedgan: error: --private chooses the clients per round and the noise multiplier from the target "
                + "epsilon: leave out -m, -z and --paper", run("debug", "--private", "-z", "1", "--out", tmp.toString())
                .err().strip());
    }

    /**
     * The private preset end to end, small (a generous target, so that 100 writers suffice for 3 rounds): the
     * experiment's ε in the output is the composition of what ran, the selection and 3 rounds of each GAN at the
     * plan's z and q = m/N̂, and within the target.
     */
    void debugPrivateSpendsWhatItPlanned(Path clf) throws Exception {
        Path out = tmp.resolve("private");
        Run r = run("debug", "--private", "200", "--rounds", "3", "--preset", "tiny", "--classifier", clf.toString(),
                "--images-every", "3", "--seeded-privacy-noise", "3", "--out", out.toString(), "--quiet", "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        JsonNode plan = j.get("private_plan");
        int m = plan.get("clients_per_round").asInt();
        double z = plan.get("noise_multiplier").asDouble();
        assertEquals(3, plan.get("rounds").asInt());
        java.util.Map<String, dev.fedgan.core.privacy.PrivacyStatement> ran = new java.util.LinkedHashMap<>();
        for (String side : List.of("low", "high")) {
            JsonNode gan = j.get("gans").get(side);
            JsonNode p = gan.get("gan").get("privacy");
            assertEquals(3, p.get("rounds").asInt());
            assertEquals(z, p.get("noise_multiplier").asDouble());
            assertEquals(m, p.get("clients_per_round").asInt());
            ran.put(side, dev.fedgan.core.privacy.PrivacyStatement.of(gan.get("population_size").asInt(), m, z, 0.1, 3,
                    1e-5, false));
        }
        double expected = dev.fedgan.core.privacy.ExperimentPrivacy.of(dev.fedgan.core.privacy.SelectionPrivacy.of(5),
                ran, 1e-5).epsilonImproved();
        double reported = j.get("privacy").get("epsilon_improved").asDouble();
        assertEquals(expected, reported, 1e-9 * expected);
        assertEquals(plan.get("epsilon").asDouble(), reported, 1e-9 * expected, "the plan's epsilon is what ran");
        assertTrue(reported <= 200, "within the target: " + reported);
    }

    /**
     * The paper's workflow end to end, small: the GAN of the low-accuracy users draws inverted digits. The private
     * preset's critic (no batch norm, 27 k weights) shows the inversion by round 40 (mean pixel about +0.7 / -0.7
     * against the bounds of +-0.3) in half the time the compact preset takes to get there by round 80.
     */
    void debugFindsTheInvertedUsersWithTwoGans(Path clf) throws Exception {
        Path out = tmp.resolve("debug");
        Run r = run("debug", "--classifier", clf.toString(), "--out", out.toString(), "--preset", "private",
                "--rounds", "60", "--images-every", "30", "--seeded-privacy-noise", "3", "--quiet", "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertTrue(j.get("inversion_found").asBoolean(), j.get("verdict").asText());
        JsonNode low = j.get("gans").get("low").get("gan");
        JsonNode high = j.get("gans").get("high").get("gan");
        assertEquals("INVERTED", low.get("last").get("polarity").asText());
        assertEquals("NORMAL", high.get("last").get("polarity").asText());
        assertTrue(low.get("last").get("mean_pixel").asDouble() > 0.3, low.toString());
        assertTrue(high.get("last").get("mean_pixel").asDouble() < -0.3, high.toString());
        // ε is the accountant's for what ran: 60 rounds of q = 5/N̂ (the selection's noisy size), z = 0.01,
        // δ = min(1e-5, N_field^-1.1) for the 100 users of the data set.
        JsonNode selection = j.get("selection");
        int n = selection.get("populations").get(0).get("population_size").asInt();
        assertEquals(n, j.get("gans").get("low").get("population_size").asInt());
        JsonNode privacy = low.get("privacy");
        assertEquals(60, privacy.get("rounds").asInt());
        assertEquals(n, privacy.get("population").asInt());
        assertEquals(1e-5, privacy.get("delta").asDouble());
        assertEquals(dev.fedgan.core.privacy.PrivacyCalculator.forPopulation(n, 5, 0.01, 60, 1e-5).epsilonImproved(),
                privacy.get("epsilon_improved").asDouble(), 1e-6 * privacy.get("epsilon_improved").asDouble());
        // The private selection: released apart from the simulation's ground truth.
        assertEquals(100, selection.get("users").asInt());
        assertEquals(5.0, selection.get("noise_multiplier").asDouble());
        assertFalse(selection.get("secure_noise").asBoolean(), "seeded with --seeded-privacy-noise");
        for (String f : List.of("selection/selection.json", "selection/accuracy_histogram.png", "simulation/README.txt",
                "simulation/measurement/per_writer_accuracy.csv", "simulation/measurement/inverted_writers.csv")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertFalse(Files.exists(out.resolve("measurement")) || Files.exists(out.resolve("populations")),
                "no central measurement or member list outside simulation/");
        for (String f : List.of("selection/selection.json", "report.json", "report.html")) {
            assertFalse(java.util.regex.Pattern.compile("\\bw\\d\\d\\b").matcher(Files.readString(out.resolve(f))).find(),
                    f + " names a writer");
        }
        assertFalse(privacy.get("secure_noise").asBoolean(), "the seeded run says so");
        assertEquals(61, Files.readAllLines(out.resolve("gans/low_accuracy/rounds.csv")).size(), "header + 60 rounds");
        for (String f : List.of("report.html", "report.json", "low_vs_high.png", "gans/high_accuracy/grids.gif",
            "gans/low_accuracy/images/gen_images_step_00060.png", "gans/low_accuracy/checkpoints/ckpt_0050/state.json",
            "gans/low_accuracy/checkpoints/ckpt_0060/critic.zip")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertTrue(Files.readString(out.resolve("report.html")).contains("low-accuracy users' data is inverted"));
    }

    private static int sum(JsonNode array) {
        int s = 0;
        for (JsonNode n : array) {
            s += n.asInt();
        }
        return s;
    }
}

package dev.fedgan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.privacy.PrivacyCalculator;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main command through a tiny experiment: {@code fedgan demo} starts the packaged dev stack and the
 * four packaged services as separate JVMs (two client-update replicas sharing the tasks), the filter trains a
 * one-epoch classifier and selects the populations, both GANs train over Kafka and S3, image-render draws and
 * reports, and the demo fetches the files and each service's metrics. (A far-away ε target, so that the target's
 * gauge, which the dashboard uses, exists.) A real Prometheus (Debian's) scrapes the services with the chart's alert
 * rules: while the client-update JVMs are stopped (SIGSTOP) mid-run the round-stall alert fires, and at the end every
 * dashboard query that the services feed returns data. All of it on the dev stack's secure mode, as the chart
 * runs by default: Kafka only over TLS, each service its own user allowed only its own topics and groups (the
 * environment variables the chart sets), S3 only over HTTPS; the demo submits and follows as the submitter.
 */
class DemoEndToEndTest {

    static final Path ROOT = Path.of("").toAbsolutePath().resolve("../..").normalize();
    static final int ROUNDS = 4;
    static final int M = 3;
    static final double Z = 0.5;

    @TempDir
    Path tmp;

    @Test
    void theDemoRunsTheWholeExperimentOnTheFourServices() throws Exception {
        Path out = tmp.resolve("demo");
        Path stdout = tmp.resolve("stdout.json");
        Path stderr = tmp.resolve("stderr.txt");
        int prometheusPort;
        try (ServerSocket s = new ServerSocket(0)) {
            prometheusPort = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx512m", "-Dfedgan.home=" + ROOT, "-jar", ROOT.resolve("tools/cli/target/fedgan-cli.jar").toString(),
                "demo", "--id", "e2e", "--out", out.toString(), "--preset", "tiny", "--rounds", Integer.toString(ROUNDS),
                "-m", Integer.toString(M), "-z", Double.toString(Z), "--images-every", "2", "--classifier-epochs", "1",
                "--seeded-privacy-noise", "5", "--client-update-replicas", "2", "--service-heap", "768m",
                "--target-epsilon", "1e6", "--timeout", "900", "--no-warm-up", "--fairness", "--rgb", "--secure", "--json",
                "--prometheus", Integer.toString(prometheusPort), "--prometheus-rules", shortStallRules().toString()));
        Process demo = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        RoundStall stall = new RoundStall(demo, prometheusPort);
        Thread stallThread = new Thread(stall, "round-stall");
        stallThread.start();
        boolean ended = demo.waitFor(20, TimeUnit.MINUTES);
        stallThread.join(TimeUnit.MINUTES.toMillis(3));
        if (!ended) {
            demo.destroy(); // the demo's own clean stop takes the services down
            demo.waitFor(60, TimeUnit.SECONDS);
        }
        String err = Files.readString(stderr);
        assertTrue(ended, "demo did not end within 20 minutes:\n" + tail(err) + logs(out));
        assertEquals(0, demo.exitValue(), "demo failed:\n" + tail(err) + logs(out));
        assertNotNull(stall.firedAfterSeconds, "the stall alert did not fire while the client-updates were stopped: "
                + stall.problem + logs(out));

        // Rounds with ε: each GAN ran every round and spent exactly what the accountant gives for its population's
        // released noisy size N̂ (q = m/N̂) at δ = min(1e-5, N_field^-1.1) = 1e-5 for the 100 users of the data.
        JsonNode r = Json.MAPPER.readTree(Files.readString(stdout));
        assertNotNull(r.get("verdict").textValue(), r.toString());
        assertEquals(2, r.get("gans").size());
        for (JsonNode g : r.get("gans")) {
            assertEquals(ROUNDS, g.get("round").asInt(), g.toString());
            assertTrue(g.get("finished").asBoolean(), g.toString());
            int n = g.get("population_size").asInt();
            assertTrue(n >= M, g.toString());
            double expected = PrivacyCalculator.forPopulation(n, M, Z, ROUNDS, 1e-5).epsilonImproved();
            assertEquals(expected, g.get("epsilon").asDouble(), 1e-9 * expected, g.toString());
            assertTrue(g.get("polarity").isTextual(), g.toString());
        }
        assertEquals(0, r.get("dead_letters").size(), r.toString());
        assertTrue(err.contains("training 2 GANs"), "a progress bar over the rounds:\n" + tail(err));
        assertTrue(err.contains("following as the submitter"), "the submitter reads the released topics only:\n"
                + tail(err));

        // The files, fetched from the bucket into the same tree as 'fedgan debug --out': the released ones, and the
        // simulation's ground truth apart, under simulation/.
        for (String f : List.of("classifier/classifier.json", "selection/selection.json",
                "selection/accuracy_histogram.png", "report.html", "report.json", "low_vs_high.png",
                "simulation/README.txt", "simulation/measurement/per_writer_accuracy.csv")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " missing; fetched: " + listing(out));
        }
        assertTrue(!Files.exists(out.resolve("measurement")) && !Files.exists(out.resolve("populations")), listing(out));
        String lowIds = Files.readString(onlyFile(out.resolve("simulation/populations/by_user"), "client_ids.csv", "lt"));
        assertTrue(lowIds.matches("(w\\d+,(True|False)\r\n)*"), lowIds);
        // Nothing released names a user (ids are w<digits>): every fetched file outside simulation/ (the simulation's
        // ground truth, which only the demo fetches) and logs/ (the operators'), every service's metrics, and what
        // the demo printed of the populations, rounds, images and dead-letter topics.
        List<Path> released = new ArrayList<>(List.of(stdout, stderr));
        try (Stream<Path> files = Files.walk(out)) {
            files.filter(Files::isRegularFile).filter(p -> !p.startsWith(out.resolve("simulation"))
                    && !p.startsWith(out.resolve("logs"))).filter(p -> p.toString().matches(".*\\.(csv|json|html|txt|prom)"))
                    .forEach(released::add);
        }
        assertTrue(released.size() > 10, "released files: " + released);
        Pattern userId = Pattern.compile("\\bw\\d+\\b");
        for (Path f : released) {
            Matcher m = userId.matcher(Files.readString(f));
            if (m.find()) {
                fail(f + " names user " + m.group());
            }
        }
        assertEquals("round,generator_loss,epsilon,clip", Files.readAllLines(out.resolve("gans/low_accuracy/rounds.csv")).get(0));
        // One total ε for the experiment: in the report and in what the demo printed from the final announcement.
        double total = Json.MAPPER.readTree(Files.readString(out.resolve("report.json"))).get("privacy")
                .get("epsilon_improved").asDouble();
        assertEquals(total, r.get("experiment_epsilon").asDouble(), 1e-12 * total, r.toString());
        for (JsonNode g : r.get("gans")) {
            assertTrue(total >= g.get("epsilon").asDouble(), "the total is at least each GAN's ε: " + r);
        }
        // The fairness sweep beside it: its 4 points run as tasks on the services, its files written once all were
        // stored, each DP point with its own accountant's ε (DP-SGD: q = 50/200, 4 steps; DP-FedAvg: 4 of 20 users
        // of 10, 5 rounds; δ 1e-5).
        assertEquals("e2e-fairness", r.get("fairness_sweep").asText(), r.toString());
        List<String> points = Files.readAllLines(out.resolve("fairness/points.csv"));
        assertEquals(1 + 4 * 3, points.size(), String.join("\n", points));
        JsonNode sweep = Json.MAPPER.readTree(Files.readString(out.resolve("fairness/fairness.json"))).get("points");
        assertEquals(PrivacyCalculator.forSamplingRate(0.25, 1.0, 4, 1e-5).epsilonOriginal(),
                sweep.get(2).get("privacy").get("epsilon_original").asDouble(), 1e-12, sweep.get(2).toString());
        assertEquals(PrivacyCalculator.forPopulation(20, 4, 1.0, 5, 1e-5).epsilonOriginal(),
                sweep.get(3).get("privacy").get("epsilon_original").asDouble(), 1e-12, sweep.get(3).toString());
        assertTrue(Files.size(out.resolve("fairness/fairness.png")) > 1000);
        // The DP-FedAvg points (2 and 4 of 4) ran their rounds on the aggregator, the DP-SGD ones on the workers.
        String aggregatorLines = Files.readString(out.resolve("logs/aggregator.log"));
        String workerLines = Files.readString(out.resolve("logs/client-update-1.log"))
                + Files.readString(out.resolve("logs/client-update-2.log"));
        for (int point : new int[] {2, 4}) {
            String done = "fairness sweep e2e-fairness: point " + point + " of 4 done";
            assertTrue(aggregatorLines.contains(done) && !workerLines.contains(done), done + ":\n" + tail(aggregatorLines));
            String sgd = "fairness sweep e2e-fairness: point " + (point - 1) + " of 4 done";
            assertTrue(workerLines.contains(sgd) && !aggregatorLines.contains(sgd), sgd);
        }
        // The RGB run beside it: two rounds of its two clients' steps on the client-update replicas, each round's
        // largest client ε as the accountant gives it (32 images each, q = 8/32, z 1.1, two steps a round, δ 1e-5),
        // a grid and the quality figure every round, the GIF of the grids.
        assertEquals("e2e-rgb", r.get("rgb_run").asText(), r.toString());
        List<String> rgbRounds = Files.readAllLines(out.resolve("rgb/rounds.csv"));
        assertEquals(3, rgbRounds.size(), String.join("\n", rgbRounds));
        for (int round = 1; round <= 2; round++) {
            String[] cells = rgbRounds.get(round).split(",", -1);
            assertEquals(Integer.toString(round), cells[0], rgbRounds.get(round));
            double eps = PrivacyCalculator.forSamplingRate(0.25, 1.1, 2L * round, 1e-5).epsilonOriginal();
            assertEquals(eps, Double.parseDouble(cells[3]), 1e-12 * eps, rgbRounds.get(round));
            assertTrue(Double.parseDouble(cells[4]) > 0, rgbRounds.get(round));
            assertTrue(Files.isRegularFile(out.resolve(String.format("rgb/grids/round-%04d.png", round))),
                    listing(out));
        }
        assertTrue(Files.size(out.resolve("rgb/training.gif")) > 1000);
        assertTrue(Files.readString(out.resolve("metrics/image-render.prom"))
                .contains("fedgan_rgb_epsilon{experiment=\"e2e-rgb\"}"), "the RGB run's ε exported");
        try (Stream<Path> grids = Files.walk(out.resolve("gans"))) {
            assertTrue(grids.filter(p -> p.toString().endsWith(".png")).count() >= 2 * (ROUNDS / 2), listing(out));
        }

        // Every client task was answered, shared by the two client-update replicas, and every client's answer went
        // into its round's sum once (Poisson sampling: about M clients per round, a varying number). A task may be
        // answered twice: if the stall outlasts a stopped replica's session, the group hands its task on and both
        // answer; the aggregator adds the first copy and counts the other late. Counted in the services' logs, which
        // are inside the trusted boundary: nothing released (metrics included) says how many clients a round had.
        TreeSet<String> answeredTasks = new TreeSet<>();
        for (String replica : List.of("client-update-1", "client-update-2")) {
            Matcher m = DELTA_STORED.matcher(Files.readString(out.resolve("logs/" + replica + ".log")));
            while (m.find()) {
                answeredTasks.add(m.group(1));
            }
        }
        int answered = answeredTasks.size();
        String aggregatorLog = Files.readString(out.resolve("logs/aggregator.log"));
        assertEquals(sumOfGroup(aggregatorLog, ROUND_COMPLETED) + sumOfGroup(aggregatorLog, ROUND_ABANDONED), answered,
                tail(aggregatorLog));
        assertTrue(answered > 0, "no client task answered");
        assertEquals(2 * ROUNDS, count(aggregatorLog, ROUND_COMPLETED), "one line per completed round of either GAN");
        String aggregator = Files.readString(out.resolve("metrics/aggregator.prom"));
        assertTrue(aggregator.contains("fedgan_epsilon{experiment=\"e2e\",gan=\"low_accuracy\"}"), aggregator);

        // Every metric the Helm chart's dashboard and alerts use is exported by some service.
        Path used = ROOT.resolve("helm/fedgan/metrics-used.txt");
        if (Files.exists(used)) {
            StringBuilder all = new StringBuilder();
            try (Stream<Path> proms = Files.list(out.resolve("metrics"))) {
                for (Path p : proms.toList()) {
                    all.append(Files.readString(p));
                }
            }
            TreeSet<String> missing = new TreeSet<>();
            for (String name : Files.readAllLines(used)) {
                String n = name.strip();
                if (!n.isEmpty() && !n.startsWith("#") && !Pattern.compile("(?m)^" + Pattern.quote(n) + "[{ ]").matcher(all).find()) {
                    missing.add(n);
                }
            }
            assertTrue(missing.isEmpty(), "used by the dashboard/alerts but exported by no service: " + missing);
        }
        // Evaluated by the real Prometheus at the end: every dashboard query returns data except those fed by a
        // cluster's exporters (kubelet's cAdvisor, NVIDIA's DCGM), and the one alert that fired is the stall's.
        JsonNode monitoring = r.get("monitoring");
        TreeSet<String> empty = new TreeSet<>();
        for (JsonNode p : monitoring.get("panels")) {
            if (p.get("series").asInt() == 0) {
                empty.add(p.get("panel").asText());
            }
        }
        assertEquals(new TreeSet<>(List.of("CPU per pod", "Memory per pod", "GPU utilisation per pod")), empty,
                monitoring.toString());
        TreeSet<String> fired = new TreeSet<>();
        monitoring.get("alerts_fired").forEach(a -> fired.add(a.get("alertname").asText() + " " + a.get("experiment")));
        assertEquals(new TreeSet<>(List.of("FedganRoundStalled \"e2e\"")), fired, monitoring.toString());
    }

    /**
     * The chart's alert rules (as generated into deploy/k8s) with the stall alert's window shortened from 20 min to
     * 8 s and its {@code for} from 5 min to none, so that a stall of a test's length fires it: shorter than
     * client-update's 15 s session timeout, so that the stopped replicas keep their tasks and answer each once.
     */
    private Path shortStallRules() throws IOException {
        String rules = Files.readString(ROOT.resolve("deploy/k8s/base/prometheusrule-fedgan.yaml"));
        for (String window : List.of("fedgan_rounds offset 20m)", "for: 5m")) {
            assertEquals(1, rules.split(Pattern.quote(window), -1).length - 1, "the chart's stall alert has " + window);
        }
        Path file = tmp.resolve("rules.yaml");
        Files.writeString(file, rules.replace("fedgan_rounds offset 20m)", "fedgan_rounds offset 8s)")
                .replace("for: 5m", "for: 0s"));
        return file;
    }

    /**
     * Once Prometheus has seen a round of the experiment, stops every client-update JVM of the demo (SIGSTOP), waits
     * for the stall alert to fire (up to 2 min), and resumes them (SIGCONT) whatever happened.
     */
    static final class RoundStall implements Runnable {
        private final Process demo;
        private final int port;
        private final HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1).build();
        volatile Long firedAfterSeconds;
        volatile String problem = "the demo ended before a round";

        RoundStall(Process demo, int port) {
            this.demo = demo;
            this.port = port;
        }

        @Override
        public void run() {
            try {
                while (demo.isAlive() && series("max(fedgan_rounds{experiment=\"e2e\"}) >= 1") == 0) {
                    Thread.sleep(300);
                }
                List<ProcessHandle> workers = demo.descendants().filter(h -> h.info().commandLine().orElse("")
                        .contains("client-update" + File.separator + "target")).toList();
                if (!demo.isAlive() || workers.isEmpty()) {
                    problem = demo.isAlive() ? "no client-update process found" : problem;
                    return;
                }
                signal("STOP", workers);
                long t0 = System.nanoTime();
                try {
                    problem = "not firing after 120 s of stop";
                    while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(120)) {
                        if (series("ALERTS{alertname=\"FedganRoundStalled\",alertstate=\"firing\",experiment=\"e2e\"}") > 0) {
                            firedAfterSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
                            return;
                        }
                        Thread.sleep(500);
                    }
                } finally {
                    signal("CONT", workers);
                }
            } catch (Exception e) {
                problem = e.toString();
            }
        }

        /** The number of series a query returns now; 0 while Prometheus is not up yet. */
        private int series(String promql) throws InterruptedException {
            try {
                String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                + port + "/api/v1/query?query=" + URLEncoder.encode(promql,
                                StandardCharsets.UTF_8))).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                return Json.MAPPER.readTree(body).path("data").path("result").size();
            } catch (IOException e) {
                return 0;
            }
        }

        private static void signal(String signal, List<ProcessHandle> processes) throws IOException, InterruptedException {
            for (ProcessHandle p : processes) {
                new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start().waitFor();
            }
        }
    }

    /** client-update's INFO line per task: the client's delta stored (its announcement follows); group 1: the task. */
    static final Pattern DELTA_STORED = Pattern.compile("(e2e\\.[a-z_]+ round \\d+ client \\S+): \\d+ steps; ");
    /** The aggregator's INFO line per completed round; group 1: the updates added to its sum. */
    static final Pattern ROUND_COMPLETED = Pattern.compile("e2e\\.[a-z_]+ round \\d+: (\\d+)/\\d+ updates ");
    /** The aggregator's WARN line per abandoned round; group 1: the updates that were added before it was dropped. */
    static final Pattern ROUND_ABANDONED = Pattern.compile("e2e\\.[a-z_]+ round \\d+: deadline with (\\d+)/\\d+ updates,");

    static int count(String log, Pattern line) {
        int n = 0;
        for (Matcher m = line.matcher(log); m.find(); ) {
            n++;
        }
        return n;
    }

    static int sumOfGroup(String log, Pattern line) {
        int s = 0;
        for (Matcher m = line.matcher(log); m.find(); ) {
            s += Integer.parseInt(m.group(1));
        }
        return s;
    }

    private static Path onlyFile(Path dir, String name, String folderPrefix) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.getFileName().toString().equals(name)
                            && p.getParent().getFileName().toString().startsWith("acc_" + folderPrefix))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + name + " under " + dir));
        }
    }

    private static String listing(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return "(nothing)";
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return String.join(", ", walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList());
        }
    }

    private static String logs(Path out) throws IOException {
        Path logs = out.resolve("logs");
        if (!Files.isDirectory(logs)) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        try (Stream<Path> files = Files.list(logs)) {
            for (Path p : files.sorted().toList()) {
                b.append("\n--- ").append(p.getFileName()).append('\n').append(tail(Files.readString(p)));
            }
        }
        return b.toString();
    }

    private static String tail(String text) {
        String[] lines = text.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 25), lines.length));
    }
}

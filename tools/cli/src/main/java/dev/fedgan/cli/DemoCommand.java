package dev.fedgan.cli;

import dev.fedgan.core.classifier.ClassifierProvenance;
import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.fairness.FairnessFiles;
import dev.fedgan.core.fairness.FairnessSweep;
import dev.fedgan.core.fairness.SweepSpec;
import dev.fedgan.core.gan.rgb.RgbRunFiles;
import dev.fedgan.core.gan.rgb.RgbSpec;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.PrivatePlan;
import dev.fedgan.core.io.FileTrees;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.population.PopulationSelection;
import dev.fedgan.core.population.PrivateSelection;
import dev.fedgan.core.privacy.SelectionPrivacy;
import dev.fedgan.core.progress.Progress;
import dev.fedgan.core.report.DebugReport;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.DeadLetter;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.FairnessSweepRequest;
import dev.fedgan.protocol.RgbRequest;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.KafkaAccess;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.protocol.RoundCompleted;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The debugging workflow on the services, all on this machine (the main job).",
            "",
            "  1. Start the dev stack (Kafka + S3), unless one is running.",
            "  2. Start the four services as separate JVMs (logs in OUT/logs/).",
            "  3. Submit the experiment: the bundled digits, the bug for a fraction p.",
            "  4. Follow it: population sizes N^, both GANs' rounds with ε, the verdict.",
            "  5. Copy the report and pictures to OUT, the ground truth to OUT/simulation.",
            "  6. Stop everything (also on Ctrl-C).",
            "",
            "With --fairness a small fairness sweep runs on the same services beside the experiment (its points as "
                + "tasks on the client-update replicas); its files go to OUT/fairness. With --rgb a tiny RGB DCGAN "
                + "run does too (its clients' rounds on the client-update replicas); its files go to OUT/rgb.",
            "",
            "The services are filter, client-update, aggregator and image-render. The experiment gives the inversion "
                + "bug to a fraction p of the bundled field users; the progress bar follows both GANs' rounds. GAN "
                + "options as 'fedgan debug' (a CPU demo by default).",
            ""})
final class DemoCommand implements Callable<Integer> {

    /** The services, in start order, and their packaged apps under services/. */
    static final List<String> SERVICES = List.of("filter", "client-update", "aggregator", "image-render");
    /** The users' data of the demo's request. */
    static final String DATA = "bundled:field";

    @Option(names = "--out", defaultValue = "fedgan-demo", description = "Where the report, pictures and logs go. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--id", description = "Experiment id. Default: demo-<date>-<time>.")
    String experimentId;

    @Option(names = {"-p", "--invert-probability"}, defaultValue = "0.5",
            description = "Chance that a user got the buggy update. Default: ${DEFAULT-VALUE}.")
    double probability;

    @Option(names = "--bug-seed", defaultValue = "7", description = "Seed of who gets the bug. Default: ${DEFAULT-VALUE}.")
    long bugSeed;

    @Option(names = "--selection-noise", paramLabel = "Z",
            description = "Noise multiplier of the private selection (as 'fedgan debug'). Default: 5.")
    Double selectionNoise;

    @Option(names = "--private", arity = "0..1", fallbackValue = "10", paramLabel = "EPSILON",
            converter = DebugCommand.EpsilonConverter.class,
            description = "As fedgan debug --private: the request's private_target_epsilon, for which the filter plans the"
                    + " GANs' clients per round and noise after the selection (10 when no value is given). The bundled"
                    + " 100 writers are too few for a meaningful epsilon: refused before the services start unless"
                    + " EPSILON is large.")
    Double privateTarget;

    @Option(names = "--classifier-epochs", defaultValue = "5",
            description = "Epochs of the primary classifier the filter trains. Default: ${DEFAULT-VALUE}.")
    int classifierEpochs;

    @Option(names = "--client-update-replicas", defaultValue = "1",
            description = "client-update JVMs sharing the round tasks (one consumer group). Default: ${DEFAULT-VALUE}.")
    int replicas;

    @Option(names = "--fairness", description = "Also run a small fairness sweep on the services (the bundled lab "
            + "digits, the inverted images as the minority, shares 1 and 0.8, DP-SGD and DP-FedAvg at z 1).")
    boolean fairness;

    @Option(names = "--rgb", description = "Also run a tiny RGB DCGAN on the services (64 generated shapes over two "
            + "clients, widths 4, two rounds; each client's discriminator by DP-SGD); its grids, rounds.csv and GIF go "
            + "to OUT/rgb.")
    boolean rgb;

    @Option(names = "--prometheus", arity = "0..1", fallbackValue = "9090", paramLabel = "PORT",
            description = "Also run Debian's prometheus on 127.0.0.1:PORT (9090 when no port is given) over the services, "
                    + "with the chart's alert rules: open it while the demo runs; at the end every dashboard query is "
                    + "evaluated and the alerts that fired listed, in OUT/monitoring.")
    Integer prometheusPort;

    @Option(names = "--prometheus-rules", paramLabel = "FILE", description = "The PrometheusRule manifest whose rules "
            + "the local Prometheus evaluates. Default: the chart's, " + LocalPrometheus.CHART_RULES + ".")
    Path prometheusRules;

    @Option(names = "--secure", description = "Run the dev stack in its secure mode, as the chart runs by default: "
            + "Kafka over TLS with a user per service, each allowed only its own topics and groups, S3 over HTTPS; "
            + "the services get their identities as the chart's pods do, and the demo submits and follows as the "
            + "submitter (docs/security.md).")
    boolean secure;

    @Option(names = "--warm-up", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Let client-update and the aggregator run their warm-up steps at start, which make the first "
            + "rounds as fast as the later ones (about a minute of both cores here); --no-warm-up skips them for a "
            + "run of a few rounds. Default: on.")
    boolean warmUp;

    @Option(names = "--timeout", defaultValue = "7200", description = "Give up after this many seconds. Default: ${DEFAULT-VALUE}.")
    long timeoutSeconds;

    @Option(names = "--service-heap", defaultValue = "1g", description = "-Xmx of each service JVM. Default: ${DEFAULT-VALUE}.")
    String heap;

    @Option(names = "--home", defaultValue = "${sys:fedgan.home:-.}", hidden = true,
            description = "The fedgan checkout holding services/*/target (set by the ./fedgan launcher).")
    Path home;

    @Mixin
    ClassifierPrivacyOptions classifierPrivacy;

    @Mixin
    GanOptions gan;

    @Mixin
    Output output;

    @Override
    public Integer call() throws Exception {
        // Reject absurd parameters before anything starts.
        GanSettings settings = privateTarget == null ? gan.settings() : gan.privateSettings();
        GanTrainingConfig config = GanSettingsMapping.config(settings, privateTarget == null
                ? GanTrainingConfig.CPU_DEMO : PrivatePlan.BASE);
        if (privateTarget != null) {
            int users = Math.toIntExact(DatasetLoader.load(DATA, WriterPartition.Options.DEFAULT).numWriters());
            double delta = PrivateSelection.delta(null, users);
            PrivatePlan.checkLargeEnough(privateTarget, delta,
                    SelectionPrivacy.of(PrivatePlan.selectionNoise(selectionNoise, privateTarget, delta)), users,
                    config.rounds(), config.preset().criticWeights());
        }
        String id = experimentId != null ? experimentId
                : "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        ExperimentRequest request = ExperimentRequest.builder().experimentId(id).data(DATA)
                .invertProbability(probability).bugSeed(bugSeed).gan(settings).classifierEpochs(classifierEpochs)
                .selectionNoiseMultiplier(selectionNoise).classifierPrivacy(classifierPrivacy.settings())
                .privateTargetEpsilon(privateTarget).build();
        if (replicas < 1 || replicas > 8) {
            throw new IllegalArgumentException("client-update replicas must be in [1, 8], got " + replicas);
        }
        LocalServices local = new LocalServices(home, out.resolve("logs"), this::status).warmUp(warmUp);
        Path secureStack = secure ? Files.createTempDirectory("fedgan-secure-stack") : null;
        if (secure) {
            local.secure(secureStack);
        }
        Map<String, Path> apps = new LinkedHashMap<>();
        for (String s : SERVICES) {
            apps.put(s, local.app(s));
        }
        Thread cleanup = new Thread(local::close, "fedgan-demo-stop");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            status("fedgan demo " + id + ": " + config.preset().name().toLowerCase(Locale.ROOT) + " GANs, "
                    + config.rounds() + " rounds, m " + (privateTarget == null ? config.clientsPerRound()
                    : "planned for epsilon " + privateTarget) + "; logs in " + out.resolve("logs"));
            local.startStack(replicas);
            KafkaOptions submitter = KafkaOptions.local(local.kafkaClientFile(KafkaAccess.SUBMITTER));
            for (String s : SERVICES) {
                if (!s.equals("client-update")) {
                    local.startService(s, apps.get(s), heap);
                    continue;
                }
                for (int k = 1; k <= replicas; k++) {
                    local.startClientUpdate(s + (replicas > 1 ? "-" + k : ""), apps.get(s), heap, replicas);
                }
            }
            local.awaitReady(output.progress(), Duration.ofSeconds(240));
            LocalPrometheus prometheus = null;
            if (prometheusPort != null) {
                prometheus = LocalPrometheus.start(local, prometheusPort, prometheusRules != null ? prometheusRules
                        : home.resolve(LocalPrometheus.CHART_RULES), out.resolve("monitoring"));
                status("Prometheus with the chart's alert rules: " + prometheus.url());
            }
            submit(submitter, request);
            String sweep = id + "-fairness";
            if (fairness) {
                SubmitCommand.produce(submitter, submitter.topics().fairnessSweeps(), sweep, Messages.encode(new FairnessSweepRequest(Messages.SCHEMA, sweep,
                                Json.MAPPER.readTree(SweepSpec.demo(200).toJson()))));
                status("submitted fairness sweep " + sweep + " (" + FairnessSweep.tasks(SweepSpec.demo(200).sweep()).size()
                        + " points)");
            }
            String rgbRun = id + "-rgb";
            if (rgb) {
                SubmitCommand.produce(submitter, submitter.topics().rgbRequests(), rgbRun,
                        Messages.encode(new RgbRequest(Messages.SCHEMA, rgbRun, Json.MAPPER.readTree(
                                RgbSpec.demo().toJson()))));
                status("submitted RGB run " + rgbRun + " (" + RgbSpec.demo().rounds() + " rounds)");
            }
            ExperimentFollower.Outcome o = follow(submitter, id, config);
            int files;
            Integer sweepFiles = null;
            Integer rgbFiles = null;
            try (ObjectStore store = local.objectStore()) {
                ModelStore models = new ModelStore(store);
                files = FetchCommand.fetch(models, id, out, true); // a simulation: its truth too
                if (fairness) {
                    await(store, "fairness sweep " + sweep, ExperimentLayout.file(sweep, FairnessFiles.HTML));
                    sweepFiles = FetchCommand.fetch(models, sweep, out.resolve("fairness"), false);
                }
                if (rgb) {
                    await(store, "RGB run " + rgbRun, ExperimentLayout.file(rgbRun, RgbRunFiles.GIF));
                    rgbFiles = FetchCommand.fetch(models, rgbRun, out.resolve("rgb"), false);
                }
            }
            local.saveMetrics(out.resolve("metrics"));
            Map<String, Object> monitoring = prometheus == null ? null : monitoring(prometheus, out.resolve("monitoring"));
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("experiment_id", id);
            r.put("verdict", o.verdict());
            r.put("experiment_epsilon", o.report() == null ? null : o.report().experimentEpsilon());
            r.put("gans", o.gans());
            r.put("dead_letters", o.deadLetters());
            r.put("out", out.toString());
            r.put("files", files);
            if (fairness) {
                r.put("fairness_sweep", sweep);
                r.put("fairness_files", sweepFiles);
            }
            if (rgb) {
                r.put("rgb_run", rgbRun);
                r.put("rgb_files", rgbFiles);
            }
            StringBuilder human = new StringBuilder();
            human.append(o.verdict() != null ? o.verdict() : "no verdict: see " + out.resolve("logs/image-render.log"));
            if (o.report() != null && o.report().experimentEpsilon() != null) {
                human.append(String.format(Locale.ROOT, "\nPrivacy:  ε = %.3g for the whole experiment (selection and"
                        + " both GANs; report.html says how)", o.report().experimentEpsilon()));
            }
            String dpStatement = classifierGuarantee(out);
            if (dpStatement != null) {
                human.append("\nClassifier: ").append(dpStatement);
            }
            human.append("\nReport:   ").append(out.resolve("report.html"));
            human.append("\nPictures: ").append(out.resolve("low_vs_high.png")).append(", ").append(out.resolve("gans"));
            human.append("\nLogs:     ").append(out.resolve("logs")).append("  (").append(files)
                    .append(" files fetched from the bucket)");
            if (fairness) {
                human.append("\nFairness: ").append(out.resolve("fairness").resolve(FairnessFiles.HTML));
            }
            if (rgb) {
                human.append("\nRGB GAN:  ").append(out.resolve("rgb").resolve(RgbRunFiles.GIF));
            }
            if (monitoring != null) {
                r.put("monitoring", monitoring);
                human.append("\nMonitoring: ").append(monitoring.get("summary"));
            }
            if (!o.deadLetters().isEmpty()) {
                human.append("\nDead letters: ").append(o.deadLetters());
            }
            output.print(r, human.toString());
            return o.verdict() != null ? 0 : 1;
        } finally {
            local.close();
            if (secureStack != null) {
                FileTrees.deleteQuietly(secureStack);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running
            }
        }
    }

    /** Waits until image-render has written {@code key} (a sweep's report, an RGB run's GIF), or the timeout. */
    private void await(ObjectStore store, String what, String key) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (!store.exists(key)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " not done within " + timeoutSeconds + " s: see "
                        + out.resolve("logs"));
            }
            Thread.sleep(500);
        }
        status(what + ": done");
    }

    /** The fetched classifier's DP-SGD guarantee in words, or null (trained without DP-SGD, or not fetched). */
    private static String classifierGuarantee(Path out) {
        Path provenance = out.resolve(PopulationSelection.CLASSIFIER_DIR).resolve(PrimaryClassifier.PROVENANCE_FILE);
        return Files.isRegularFile(provenance)
                ? DebugReport.classifierPrivacy(Json.read(provenance, ClassifierProvenance.class)) : null;
    }

    private void submit(KafkaOptions submitter, ExperimentRequest request) throws Exception {
        SubmitCommand.produce(submitter, submitter.topics().experiments(), request.experimentId(),
                Messages.encode(request));
        status("submitted " + request.experimentId() + "; the filter trains the classifier ("
                + classifierEpochs + " epochs" + (request.classifierPrivacy() != null ? ", DP-SGD" : "")
                + ") and measures the users...");
    }

    private ExperimentFollower.Outcome follow(KafkaOptions submitter, String id, GanTrainingConfig config) {
        Properties p = submitter.common();
        Progress bar = output.progress();
        Map<String, String> latest = new LinkedHashMap<>();
        boolean[] started = {false};
        return new ExperimentFollower(p, submitter.topics())
                .follow(id, List.of("low_accuracy", "high_accuracy"), timeoutSeconds, new ExperimentFollower.Listener() {
                    @Override
                    public void population(PopulationReady m) {
                        status(String.format(Locale.ROOT, "%s population: noisy size N^ = %d", m.gan(),
                                m.populationSize()));
                    }

                    @Override
                    public void round(RoundCompleted m) {
                        if (!started[0]) {
                            started[0] = true;
                            bar.start("training 2 GANs", 2L * config.rounds(), "rounds");
                        }
                        latest.put(m.gan().replace("_accuracy", ""), String.format(Locale.ROOT, "r%d ε %.3g", m.round(), m.epsilon()));
                        bar.advance(1, latest.toString());
                    }

                    @Override
                    public void deadLetter(DeadLetter m) {
                        status("dead letter from " + m.service() + ": " + m.reason());
                    }

                    @Override
                    public void restricted(Set<String> topics) {
                        status("following as the submitter: the released rounds and images (N^ with the rounds)");
                    }
                });
    }

    /**
     * Evaluates every dashboard query and lists the alerts that fired, into {@code dir/monitoring.json} with a summary
     * line: which panels had no data, which alerts fired.
     */
    private Map<String, Object> monitoring(LocalPrometheus prometheus, Path dir) throws IOException, InterruptedException {
        List<LocalPrometheus.PanelResult> panels = prometheus.panels(home.resolve(LocalPrometheus.DASHBOARD));
        List<Map<String, String>> alerts = prometheus.alertsFired();
        List<String> empty = panels.stream().filter(p -> p.series() == 0).map(LocalPrometheus.PanelResult::panel)
                .distinct().toList();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("summary", (panels.size() - panels.stream().filter(p -> p.series() == 0).count()) + " of "
                + panels.size() + " dashboard queries had data" + (empty.isEmpty() ? "" : " (none for "
                + String.join(", ", empty) + ")") + "; alerts fired: " + (alerts.isEmpty() ? "none"
                : String.join(", ", alerts.stream().map(a -> a.get("alertname")).distinct().toList())));
        m.put("prometheus", prometheus.url());
        m.put("panels", panels);
        m.put("alerts_fired", alerts);
        Json.write(dir.resolve("monitoring.json"), m);
        return m;
    }

    private void status(String line) {
        if (!output.quiet) {
            System.err.println(line);
        }
    }
}

package dev.fedgan.cli;

import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.progress.Progress;
import dev.fedgan.protocol.DeadLetter;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.protocol.Topics;
import dev.fedgan.storage.GanSettingsMapping;
import dev.fedgan.storage.ModelStore;
import dev.fedgan.storage.ObjectStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The debugging workflow on the services, all on this machine:",
            "  1. start the dev stack (Kafka + S3) unless one is running, and the four services as separate JVMs",
            "     (filter, client-update, aggregator, image-render; logs in OUT/logs/),",
            "  2. submit the experiment (the bundled digits, the inversion bug for a fraction p of the users),",
            "  3. follow it: populations, a progress bar over both GANs' rounds with ε, the verdict,",
            "  4. copy the report and pictures into OUT and stop everything (also on Ctrl-C).",
            "GAN options as 'fedgan debug' (a CPU demo by default)."})
final class DemoCommand implements Callable<Integer> {

    /** The services, in start order, and their packaged apps under services/. */
    static final List<String> SERVICES = List.of("filter", "client-update", "aggregator", "image-render");

    @Option(names = "--out", defaultValue = "fedgan-demo", description = "Where the report, pictures and logs go. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--id", description = "Experiment id. Default: demo-<date>-<time>.")
    String experimentId;

    @Option(names = {"-p", "--invert-probability"}, defaultValue = "0.5",
            description = "Chance that a user got the buggy update. Default: ${DEFAULT-VALUE}.")
    double probability;

    @Option(names = "--bug-seed", defaultValue = "7", description = "Seed of who gets the bug. Default: ${DEFAULT-VALUE}.")
    long bugSeed;

    @Option(names = "--classifier-epochs", defaultValue = "5",
            description = "Epochs of the primary classifier the filter trains. Default: ${DEFAULT-VALUE}.")
    int classifierEpochs;

    @Option(names = "--client-update-replicas", defaultValue = "1",
            description = "client-update JVMs sharing the round tasks (one consumer group). Default: ${DEFAULT-VALUE}.")
    int replicas;

    @Option(names = "--timeout", defaultValue = "7200", description = "Give up after this many seconds. Default: ${DEFAULT-VALUE}.")
    long timeoutSeconds;

    @Option(names = "--service-heap", defaultValue = "1g", description = "-Xmx of each service JVM. Default: ${DEFAULT-VALUE}.")
    String heap;

    @Option(names = "--home", defaultValue = "${sys:fedgan.home:-.}", hidden = true,
            description = "The fedgan checkout holding services/*/target (set by the ./fedgan launcher).")
    Path home;

    @Mixin
    GanOptions gan;

    @Mixin
    Output output;

    private final List<Process> processes = new ArrayList<>();
    private final Map<Process, String> names = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Integer> httpPorts = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        // Reject absurd parameters before anything starts.
        GanSettings settings = gan.settings();
        GanTrainingConfig config = GanSettingsMapping.config(settings);
        String id = experimentId != null ? experimentId
                : "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        ExperimentRequest request = new ExperimentRequest(Messages.SCHEMA, id, "bundled:field", null, null,
                probability, bugSeed, null, null, settings, null, null, classifierEpochs);
        if (replicas < 1 || replicas > 8) {
            throw new IllegalArgumentException("client-update replicas must be in [1, 8], got " + replicas);
        }
        Path stackJar = home.resolve("services/devstack/target/fedgan-devstack.jar");
        Map<String, Path> apps = new LinkedHashMap<>();
        for (String s : SERVICES) {
            apps.put(s, home.resolve("services/" + s + "/target/quarkus-app/quarkus-run.jar"));
        }
        List<Path> jars = new ArrayList<>(apps.values());
        jars.add(stackJar);
        for (Path jar : jars) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException(jar + " is missing: build with ./fedgan demo (the launcher builds) or "
                        + "./mvnw -DskipTests package");
            }
        }
        Path logs = out.resolve("logs");
        Files.createDirectories(logs);
        Thread cleanup = new Thread(this::stopAll, "fedgan-demo-stop");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            String bootstrap = "127.0.0.1:19092";
            String s3 = "http://127.0.0.1:19000";
            status("fedgan demo " + id + ": " + config.preset().name().toLowerCase(Locale.ROOT) + " GANs, "
                    + config.rounds() + " rounds, m " + config.clientsPerRound() + "; logs in " + logs);
            startStack(stackJar, logs);
            createTopics(bootstrap, Topics.withPrefix(Topics.DEFAULT_PREFIX), replicas);
            for (String s : SERVICES) {
                int n = s.equals("client-update") ? replicas : 1;
                for (int k = 0; k < n; k++) {
                    startService(s + (n > 1 ? "-" + (k + 1) : ""), apps.get(s), bootstrap, s3, logs);
                }
            }
            awaitReady(logs);
            submit(bootstrap, request);
            ExperimentFollower.Outcome o = follow(bootstrap, id, config);
            saveMetrics(out.resolve("metrics"));
            int files;
            try (ObjectStore store = ObjectStore.connect(s3, "fedgan", "fedgan-dev-secret", "fedgan")) {
                files = FetchCommand.fetch(new ModelStore(store), id, out);
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("experiment_id", id);
            r.put("verdict", o.verdict());
            r.put("gans", o.gans());
            r.put("dead_letters", o.deadLetters());
            r.put("out", out.toString());
            r.put("files", files);
            StringBuilder human = new StringBuilder();
            human.append(o.verdict() != null ? o.verdict() : "no verdict: see " + logs.resolve("image-render.log"));
            human.append("\nReport:   ").append(out.resolve("report.html"));
            human.append("\nPictures: ").append(out.resolve("low_vs_high.png")).append(", ").append(out.resolve("gans"));
            human.append("\nLogs:     ").append(logs).append("  (").append(files).append(" files fetched from the bucket)");
            if (!o.deadLetters().isEmpty()) {
                human.append("\nDead letters: ").append(o.deadLetters());
            }
            output.print(r, human.toString());
            return o.verdict() != null ? 0 : 1;
        } finally {
            stopAll();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running
            }
        }
    }

    private void startStack(Path jar, Path logs) throws Exception {
        boolean kafkaUp = listening(19092);
        boolean s3Up = listening(19000);
        if (kafkaUp && s3Up) {
            status("using the dev stack already running on 127.0.0.1:19092 and :19000");
            return;
        }
        if (kafkaUp || s3Up) {
            throw new IllegalArgumentException("port " + (kafkaUp ? 19092 : 19000) + " is taken but port "
                    + (kafkaUp ? 19000 : 19092) + " is free: stop what holds it (another dev stack?) and try again");
        }
        status("starting the dev stack (Kafka 127.0.0.1:19092, S3 http://127.0.0.1:19000)...");
        start("devstack", List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()), logs);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!(listening(19092) && listening(19000))) {
            checkAlive(logs);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the dev stack did not come up within 90 s: see " + logs.resolve("devstack.log"));
            }
            Thread.sleep(300);
        }
    }

    private void startService(String name, Path jar, String bootstrap, String s3, Path logs) throws IOException {
        int port = freePort();
        httpPorts.put(name, port);
        start(name, List.of("-Xmx" + heap, "-Djava.awt.headless=true", "-Dquarkus.http.port=" + port,
                "-Dkafka.bootstrap.servers=" + bootstrap, "-Dfedgan.s3.endpoint=" + s3, "-jar", jar.toString()), logs);
    }

    private void start(String name, List<String> args, Path logs) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(args);
        Path log = logs.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        synchronized (processes) {
            processes.add(p);
        }
        names.put(p, name);
    }

    /** Fails, naming the service and its log, if a started process has exited. */
    private void checkAlive(Path logs) {
        synchronized (processes) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    String name = names.get(p);
                    throw new IllegalStateException(name + " exited with status " + p.exitValue() + ": see "
                            + logs.resolve(name + ".log") + tail(logs.resolve(name + ".log")));
                }
            }
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return "\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private void awaitReady(Path logs) throws Exception {
        Progress bar = output.progress();
        bar.start("starting services", httpPorts.size(), "services");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        List<String> waiting = new ArrayList<>(httpPorts.keySet());
        while (!waiting.isEmpty()) {
            checkAlive(logs);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not ready within 240 s: " + waiting + " (logs in " + logs + ")");
            }
            for (String s : List.copyOf(waiting)) {
                if (ready(http, httpPorts.get(s))) {
                    waiting.remove(s);
                    bar.advance(1, s + " ready");
                }
            }
            Thread.sleep(500);
        }
        bar.finish("all ready: " + httpPorts);
    }

    private static boolean ready(HttpClient http, int port) {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The fedgan topics, round-tasks with enough partitions for the client-update replicas to share them. */
    static void createTopics(String bootstrap, Topics topics, int replicas) throws InterruptedException {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(p)) {
            for (String t : topics.all()) {
                int partitions = t.equals(topics.roundTasks()) ? Math.max(4, replicas) : 1;
                try {
                    admin.createTopics(List.of(new NewTopic(t, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + t + " at " + bootstrap + ": "
                                + e.getCause().getMessage(), e);
                    }
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new IllegalStateException("Kafka at " + bootstrap + " did not create topic " + t + " in 30 s", e);
                }
            }
        }
    }

    private void submit(String bootstrap, ExperimentRequest request) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(Topics.withPrefix(Topics.DEFAULT_PREFIX).experiments(),
                    request.experimentId(), Messages.encode(request))).get(30, TimeUnit.SECONDS);
        }
        status("submitted " + request.experimentId() + "; the filter trains the classifier ("
                + classifierEpochs + " epochs) and measures the users...");
    }

    private ExperimentFollower.Outcome follow(String bootstrap, String id, GanTrainingConfig config) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        Progress bar = output.progress();
        Map<String, String> latest = new LinkedHashMap<>();
        boolean[] started = {false};
        return new ExperimentFollower(p, Topics.withPrefix(Topics.DEFAULT_PREFIX))
                .follow(id, List.of("low_accuracy", "high_accuracy"), timeoutSeconds, new ExperimentFollower.Listener() {
                    @Override
                    public void population(PopulationReady m) {
                        status(String.format(Locale.ROOT, "%s population: %d users", m.gan(), m.clients().size()));
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
                });
    }

    /** Keeps each service's last /q/metrics (Prometheus text) in {@code dir}/SERVICE.prom. */
    private void saveMetrics(Path dir) throws IOException {
        Files.createDirectories(dir);
        HttpClient http = HttpClient.newHttpClient();
        for (var e : httpPorts.entrySet()) {
            try {
                String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + e.getValue() + "/q/metrics"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
                Files.writeString(dir.resolve(e.getKey() + ".prom"), text);
            } catch (IOException | InterruptedException ex) {
                status("could not read the metrics of " + e.getKey() + ": " + ex.getMessage());
            }
        }
    }

    /** Stops the services, then the stack: SIGTERM, 20 s grace, then kill. Idempotent. */
    private void stopAll() {
        List<Process> running;
        synchronized (processes) {
            running = new ArrayList<>(processes);
            processes.clear();
        }
        if (running.isEmpty()) {
            return;
        }
        status("stopping " + running.size() + " processes...");
        for (int k = running.size() - 1; k >= 0; k--) { // services first, the stack (started first) last
            Process p = running.get(k);
            p.destroy();
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private void status(String line) {
        if (!output.quiet) {
            System.err.println(line);
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

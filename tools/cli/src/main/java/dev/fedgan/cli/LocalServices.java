package dev.fedgan.cli;

import dev.fedgan.core.progress.Progress;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.objectstore.RetryPolicy;
import dev.fedgan.protocol.Topics;
import java.io.File;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The dev stack and the packaged services as local processes, as {@code fedgan demo} and the services benchmark
 * run them: the stack on its fixed ports (reused if one is running), each service JVM on a free HTTP port with its
 * output in {@code logs/NAME.log}, readiness from {@code /q/health/ready}, and a clean stop (SIGTERM, grace,
 * kill) of everything started, services first.
 */
public final class LocalServices implements AutoCloseable {

    public static final String BOOTSTRAP = "127.0.0.1:19092";
    public static final String S3 = "http://127.0.0.1:19000";
    public static final String ACCESS_KEY = "fedgan";
    public static final String SECRET_KEY = "fedgan-dev-secret";
    public static final String BUCKET = "fedgan";

    private final Path home;
    private final Path logs;
    /** The secure dev stack's directory (its users' passwords, its trust store), or null: plaintext and HTTP. */
    private Path secure;
    private boolean warmUp = true;
    private final Consumer<String> status;
    private final List<Process> processes = new ArrayList<>();
    private final Map<Process, String> names = new LinkedHashMap<>();
    private final Map<String, Integer> httpPorts = new LinkedHashMap<>();
    /** How each process was started, by name: what {@link #restart} runs again. */
    private final Map<String, Launch> launches = new LinkedHashMap<>();

    private record Launch(List<String> command, Map<String, String> env) {
    }

    /**
     * @param home   the fedgan checkout holding {@code services/NAME/target}
     * @param logs   where each process's output goes
     * @param status where progress lines go
     */
    public LocalServices(Path home, Path logs, Consumer<String> status) throws IOException {
        this.home = home;
        this.logs = logs;
        this.status = status;
        Files.createDirectories(logs);
    }

    /**
     * Runs everything in the dev stack's secure mode, kept in {@code dir}: Kafka over TLS with a user per service and
     * the submitter (each allowed only its {@code KafkaAccess}), S3 over HTTPS. Each service JVM gets its identity
     * and the trust stores the way the chart gives them in a pod: {@code KAFKA_*} and {@code FEDGAN_S3_TRUST_STORE*}
     * environment variables. Call before {@link #startStack}.
     */
    public LocalServices secure(Path dir) {
        this.secure = dir;
        return this;
    }

    /**
     * Whether the services run their warm-up steps at start ({@code fedgan.warm-up.*}, on by default): they make the
     * first rounds as fast as the later ones, and are wasted on a run of a few rounds.
     */
    public LocalServices warmUp(boolean on) {
        this.warmUp = on;
        return this;
    }

    /** The dev stack's S3 endpoint: HTTPS in the secure mode. */
    public String s3() {
        return secure == null ? S3 : S3.replace("http:", "https:");
    }

    /**
     * What a Kafka client of {@code user} (a service's name, {@code submitter} or {@code admin}) sets besides the
     * bootstrap servers: nothing on the plain stack.
     */
    public Map<String, String> kafkaClient(String user) {
        Map<String, String> client = new TreeMap<>();
        if (secure != null) {
            Properties p = KafkaOptions.read(kafkaClientFile(user));
            p.stringPropertyNames().forEach(k -> client.put(k, p.getProperty(k)));
        }
        return client;
    }

    /** The file of {@link #kafkaClient} ({@code fedgan-devstack --secure} writes one per user), or null: plain. */
    public Path kafkaClientFile(String user) {
        return secure == null ? null : secure.resolve("clients").resolve(user + ".properties");
    }

    /** The dev stack's bucket with its root credentials (the operator's), trusting its certificate when secure. */
    public ObjectStore objectStore() {
        if (secure == null) {
            return ObjectStore.connect(S3, ACCESS_KEY, SECRET_KEY, BUCKET);
        }
        Map<String, String> admin = kafkaClient("admin"); // the stack's one certificate serves Kafka and S3
        return ObjectStore.connect(s3(), ACCESS_KEY, SECRET_KEY, BUCKET, RetryPolicy.DEFAULT, ObjectStore.trustStore(
                Path.of(admin.get("ssl.truststore.location")), admin.get("ssl.truststore.password")));
    }

    /**
     * The environment that makes service JVM {@code name} (a replica suffix {@code -N} dropped) the secure stack's
     * client as in a pod of the chart: its Kafka client settings as {@code KAFKA_*} variables (Quarkus reads
     * {@code KAFKA_SASL_JAAS_CONFIG} as {@code kafka.sasl.jaas.config}), the S3 trust store. Empty on the plain stack.
     */
    Map<String, String> securityEnvironment(String name) {
        Map<String, String> env = new TreeMap<>();
        if (secure == null) {
            return env;
        }
        Map<String, String> client = kafkaClient(name.replaceFirst("-\\d+$", ""));
        client.forEach((k, v) -> env.put("KAFKA_" + k.toUpperCase(Locale.ROOT).replace('.', '_'), v));
        env.put("FEDGAN_S3_TRUST_STORE", client.get("ssl.truststore.location"));
        env.put("FEDGAN_S3_TRUST_STORE_PASSWORD", client.get("ssl.truststore.password"));
        return env;
    }

    /** The packaged app of a service, {@code services/NAME/target/quarkus-app/quarkus-run.jar}, checked to exist. */
    public Path app(String service) {
        return packaged(home.resolve("services/" + service + "/target/quarkus-app/quarkus-run.jar"));
    }

    private static Path packaged(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(jar + " is missing: build with ./fedgan demo (the launcher builds) or "
                    + "./mvnw -DskipTests package");
        }
        return jar;
    }

    /** Starts the dev stack unless one already answers on its ports; creates the fedgan topics. */
    public void startStack(int clientUpdateReplicas) throws IOException, InterruptedException {
        Path jar = packaged(home.resolve("tools/devstack/target/fedgan-devstack.jar"));
        boolean kafkaUp = listening(19092);
        boolean s3Up = listening(19000);
        if (kafkaUp && s3Up) {
            status.accept("using the dev stack already running on " + BOOTSTRAP + " and " + S3);
        } else if (kafkaUp || s3Up) {
            throw new IllegalArgumentException("port " + (kafkaUp ? 19092 : 19000) + " is taken but port "
                    + (kafkaUp ? 19000 : 19092) + " is free: stop what holds it (another dev stack?) and try again");
        } else if (secure != null) {
            status.accept("starting the secure dev stack (Kafka over TLS with a user per service " + BOOTSTRAP
                    + ", S3 " + s3() + "; users and trust store in " + secure + ")...");
            start("devstack", List.of("-Xmx1g", "-jar", jar.toString(), "--secure", "--dir", secure.toString()));
            awaitStack();
        } else {
            status.accept("starting the dev stack (Kafka " + BOOTSTRAP + ", S3 " + S3 + ")...");
            start("devstack", List.of("-Xmx1g", "-jar", jar.toString()));
            awaitStack();
        }
        createTopics(BOOTSTRAP, Topics.withPrefix(Topics.DEFAULT_PREFIX), clientUpdateReplicas, kafkaClient("admin"));
    }

    /**
     * Starts Kafka and S3 as two processes, {@code kafka} and {@code s3}, with their data in {@code dir}, so that
     * either can be stopped and {@link #restart restarted} alone; creates the topics. Kafka on the stack's port; S3
     * on {@code s3Port}: the stack's 19000, or another port behind something the caller put on 19000 (a proxy).
     *
     * @throws IllegalArgumentException if a port is taken
     */
    public void startStackApart(Path dir, int clientUpdateReplicas, int s3Port) throws IOException, InterruptedException {
        Path jar = packaged(home.resolve("tools/devstack/target/fedgan-devstack.jar"));
        for (int port : new int[] {19092, 19093, s3Port}) {
            if (listening(port)) {
                throw new IllegalArgumentException("port " + port + " is taken: stop what holds it (a dev stack?)");
            }
        }
        status.accept("starting Kafka and S3 apart (data in " + dir + ")...");
        start("kafka", List.of("-Xmx768m", "-jar", jar.toString(), "--only", "kafka", "--dir", dir.toString()));
        start("s3", List.of("-Xmx512m", "-jar", jar.toString(), "--only", "s3", "--dir", dir.toString(),
                "--s3-port", Integer.toString(s3Port)));
        awaitStack();
        createTopics(BOOTSTRAP, Topics.withPrefix(Topics.DEFAULT_PREFIX), clientUpdateReplicas, kafkaClient("admin"));
    }

    /** Waits until Kafka and S3 listen on the stack's ports (90 s at most). */
    public void awaitStack() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!(listening(19092) && listening(19000))) {
            checkAlive();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the dev stack did not come up within 90 s: see " + logs);
            }
            Thread.sleep(300);
        }
    }

    /** Starts one service JVM ({@code name} may carry a replica suffix) against the dev stack. */
    public void startService(String name, Path app, String heap) throws IOException {
        start(name, app, heap, Map.of());
    }

    /** Starts client-update replica {@code name}, one of {@code replicas} on this machine's cores. */
    public void startClientUpdate(String name, Path app, String heap, int replicas) throws IOException {
        start(name, app, heap, clientUpdateEnvironment(replicas));
    }

    /**
     * ND4J's OpenMP settings for one of {@code replicas} client-update JVMs sharing this machine's cores. Threads:
     * ND4J's default is one per core, and two replicas of two threads each on two cores make every critic step wait
     * for the other's threads, so each replica gets cores/replicas. Waiting: OpenMP's threads spin between parallel
     * regions by default; a client-update stores one client's delta while the next client trains, and spinning
     * threads would take the cores that the store, S3 and the aggregator's reads need. Passive threads sleep
     * instead.
     */
    static Map<String, String> clientUpdateEnvironment(int replicas) {
        Map<String, String> env = new TreeMap<>(Map.of("OMP_WAIT_POLICY", "PASSIVE"));
        if (replicas > 1) {
            int cores = Runtime.getRuntime().availableProcessors();
            env.put("OMP_NUM_THREADS", Integer.toString(Math.max(1, cores / replicas)));
        }
        return env;
    }

    private void start(String name, Path app, String heap, Map<String, String> env) throws IOException {
        int port = freePort();
        httpPorts.put(name, port);
        start(name, serviceJvm(heap, port, app, s3()), serviceEnvironment(name, env));
    }

    /** Service {@code name}'s environment: {@code env}, its {@link #securityEnvironment}, no warm-up if so set. */
    Map<String, String> serviceEnvironment(String name, Map<String, String> env) {
        Map<String, String> all = new TreeMap<>(env);
        all.putAll(securityEnvironment(name));
        if (!warmUp) { // Quarkus reads these as fedgan.warm-up.*
            all.put("FEDGAN_WARM_UP_CRITIC_STEPS", "0");
            all.put("FEDGAN_WARM_UP_GENERATOR_STEPS", "0");
        }
        return all;
    }

    /**
     * A service JVM's arguments against the dev stack. JavaCPP's physical-memory cap (fedgan.javacpp.maxphysicalbytes,
     * sized for the pods' heaps) counts the heap too: here it is the heap plus NATIVE_MEMORY. Past the cap JavaCPP
     * calls System.gc() before allocating; at the reference preset a client-update JVM with 2 GB of heap under the
     * pods' 3G cap would do so before nearly every allocation, since it holds about 2.5 GB of natives.
     */
    static List<String> serviceJvm(String heap, int httpPort, Path app, String s3) {
        return List.of("-Xmx" + heap, "-Dorg.bytedeco.javacpp.maxphysicalbytes=" + (parseBytes(heap) + NATIVE_MEMORY),
                "-Djava.awt.headless=true", "-Dquarkus.http.port=" + httpPort, "-Dkafka.bootstrap.servers=" + BOOTSTRAP,
                "-Dfedgan.s3.endpoint=" + s3, "-jar", app.toString());
    }

    /** Resident memory a service JVM may use beyond its heap before JavaCPP collects garbage to free natives. */
    static final long NATIVE_MEMORY = 4L << 30;
    private static final Pattern MEMORY_SIZE = Pattern.compile("(?i)([0-9]+)([kmgt]?)");

    /** A JVM memory size ({@code 512m}, {@code 2g}, {@code 1048576}) in bytes. */
    static long parseBytes(String size) {
        Matcher m = MEMORY_SIZE.matcher(size.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a memory size: '" + size + "' (e.g. 512m, 2g)");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        return Long.parseLong(m.group(1)) << shift;
    }

    private void start(String name, List<String> args) throws IOException {
        start(name, args, Map.of());
    }

    private void start(String name, List<String> args, Map<String, String> env) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(args);
        launch(name, cmd, env);
    }

    /** Starts a program that is not a JVM (a local Prometheus), stopped with the rest; output in its log. */
    public void startProgram(String name, List<String> command) throws IOException {
        launch(name, command, Map.of());
    }

    private void launch(String name, List<String> cmd, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(cmd);
        builder.environment().putAll(env);
        boolean again;
        synchronized (processes) {
            again = launches.containsKey(name);
        }
        File log = log(name).toFile(); // a restart's output follows the first run's
        Process p = builder.redirectErrorStream(true)
                .redirectOutput(again ? ProcessBuilder.Redirect.appendTo(log) : ProcessBuilder.Redirect.to(log)).start();
        synchronized (processes) {
            processes.add(p);
            names.put(p, name);
            launches.put(name, new Launch(List.copyOf(cmd), Map.copyOf(env)));
        }
    }

    /**
     * Ends process {@code name} as a fault would: SIGKILL ({@code kill}) or SIGTERM with a 20 s grace; it is no longer
     * watched by {@link #checkAlive} until {@link #restart}.
     *
     * @throws IllegalArgumentException if no process of that name runs
     */
    public void end(String name, boolean kill) throws InterruptedException {
        Process p;
        synchronized (processes) {
            p = processes.stream().filter(q -> name.equals(names.get(q)) && q.isAlive()).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no running process " + name));
            processes.remove(p);
        }
        if (kill) {
            p.destroyForcibly();
        } else {
            p.destroy();
        }
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** Starts process {@code name} again as it was started first (same command, ports, environment; log appended). */
    public void restart(String name) throws IOException {
        Launch l;
        synchronized (processes) {
            l = launches.get(name);
        }
        if (l == null) {
            throw new IllegalArgumentException("no process " + name + " was started");
        }
        launch(name, l.command(), l.env());
    }

    /** Each service JVM's HTTP port (health, {@code /q/metrics}), by name. */
    public Map<String, Integer> httpPorts() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(httpPorts));
    }

    /** The log file of a process started here. */
    public Path log(String name) {
        return logs.resolve(name + ".log");
    }

    /** Every process started here that is still running, by name (for the services benchmark's CPU budget). */
    public Map<String, ProcessHandle> running() {
        Map<String, ProcessHandle> running = new LinkedHashMap<>();
        synchronized (processes) {
            for (Process p : processes) {
                if (p.isAlive()) {
                    running.put(names.get(p), p.toHandle());
                }
            }
        }
        return running;
    }

    /** Fails, naming the process and the end of its log, if a started process has exited. */
    public void checkAlive() {
        synchronized (processes) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    String name = names.get(p);
                    Path log = log(name);
                    throw new IllegalStateException(name + " exited with status " + p.exitValue() + ": see " + log
                            + tail(log));
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

    /** Waits until every started service answers ready on {@code /q/health/ready}. */
    public void awaitReady(Progress bar, Duration timeout) throws InterruptedException {
        bar.startCount("starting services", httpPorts.size(), "services");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> waiting = new ArrayList<>(httpPorts.keySet());
        while (!waiting.isEmpty()) {
            checkAlive();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not ready within " + timeout.toSeconds() + " s: " + waiting
                        + " (logs in " + logs + ")");
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

    private static boolean ready(HttpClient http, int port) throws InterruptedException {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The fedgan topics, round-tasks, fairness-points and fairness-rounds with enough partitions for the client-update
     * replicas to share them.
     */
    static void createTopics(String bootstrap, Topics topics, int replicas, Map<String, String> client)
            throws InterruptedException {
        Properties p = new Properties();
        p.putAll(client);
        p.put("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(p)) {
            for (String t : topics.all()) {
                int partitions = topics.partitions(t, replicas);
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

    /** Keeps each service's current {@code /q/metrics} (Prometheus text) in {@code dir/NAME.prom}. */
    public void saveMetrics(Path dir) throws IOException {
        Files.createDirectories(dir);
        // HTTP/1.1: the JDK client's default h2c upgrade can fail on a large body (Endpoints in the tests says why).
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (var e : httpPorts.entrySet()) {
            try {
                String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + e.getValue() + "/q/metrics"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
                Files.writeString(dir.resolve(e.getKey() + ".prom"), text);
            } catch (IOException | InterruptedException ex) {
                status.accept("could not read the metrics of " + e.getKey() + ": " + ex.getMessage());
            }
        }
    }

    /** Stops what was started, services first and the stack last: SIGTERM, 20 s grace, then kill. Idempotent. */
    @Override
    public void close() {
        List<Process> running;
        synchronized (processes) {
            running = new ArrayList<>(processes);
            processes.clear();
        }
        if (running.isEmpty()) {
            return;
        }
        status.accept("stopping " + running.size() + " processes...");
        for (int k = running.size() - 1; k >= 0; k--) {
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

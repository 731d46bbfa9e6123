package dev.fedgan.devstack;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;

/**
 * The local development stack: a Kafka broker ({@link EmbeddedKafka}) and an S3 object store ({@link EmbeddedS3})
 * in one JVM, on fixed local ports by default so that services started by hand find them, or on free ports in
 * tests. Kafka keeps its logs in {@code DIR/kafka} and S3 its buckets in {@code DIR/s3}.
 *
 * <pre>{@code
 * try (DevStack stack = DevStack.start(dir, DevStack.Ports.FREE)) {
 *     stack.bootstrapServers(); stack.s3Endpoint(); stack.accessKey(); stack.secretKey();
 * }
 * }</pre>
 *
 * <p>{@link #main} runs it from the command line until Ctrl-C; {@code --help} lists the options.
 */
public final class DevStack implements AutoCloseable {

    /**
     * The three ports of a stack; 0 picks a free port.
     *
     * @param kafka      Kafka's client (PLAINTEXT) port, what {@code bootstrap.servers} names
     * @param controller Kafka's KRaft controller port, internal to the broker
     * @param s3         the S3 HTTP port
     */
    public record Ports(int kafka, int controller, int s3) {
        /** The fixed local ports: Kafka 19092, controller 19093, S3 19000. */
        public static final Ports DEFAULT = new Ports(19092, 19093, 19000);
        /** Free ports, chosen at start: for tests, and for stacks side by side. */
        public static final Ports FREE = new Ports(0, 0, 0);

        /**
         * @throws IllegalArgumentException if a port is outside 0..65535 or two fixed ports are equal
         */
        public Ports {
            Net.checkPort("Kafka port", kafka);
            Net.checkPort("controller port", controller);
            Net.checkPort("S3 port", s3);
            if ((kafka != 0 && (kafka == controller || kafka == s3)) || (controller != 0 && controller == s3)) {
                throw new IllegalArgumentException("the Kafka, controller and S3 ports must differ, got "
                        + kafka + ", " + controller + ", " + s3);
            }
        }
    }

    /** What a stack runs: both servers, or one of them (Kafka and S3 in separate processes, to stop one alone). */
    public enum Part {
        KAFKA, S3
    }

    private final EmbeddedKafka kafka;
    private final EmbeddedS3 s3;
    private final Path dir;
    private final boolean temporary;
    private boolean closed;

    private DevStack(EmbeddedKafka kafka, EmbeddedS3 s3, Path dir, boolean temporary) {
        this.kafka = kafka;
        this.s3 = s3;
        this.dir = dir;
        this.temporary = temporary;
    }

    /**
     * Starts a stack keeping its data in {@code dir} (created if missing, kept on close and reused by the next start
     * on it), with the default S3 credentials.
     *
     * @throws IllegalStateException if a port is taken or a server fails to start
     */
    public static DevStack start(Path dir, Ports ports) {
        return start(dir, ports, EmbeddedS3.DEFAULT_ACCESS_KEY, EmbeddedS3.DEFAULT_SECRET_KEY);
    }

    /**
     * Starts a stack keeping its data in {@code dir}, with the given S3 credentials.
     *
     * @throws IllegalArgumentException if a credential is blank
     * @throws IllegalStateException    if a port is taken or a server fails to start
     */
    public static DevStack start(Path dir, Ports ports, String accessKey, String secretKey) {
        return start(dir, ports, accessKey, secretKey, EnumSet.allOf(Part.class));
    }

    /**
     * Starts the given parts of a stack keeping their data in {@code dir}, with the given S3 credentials; the ports of
     * a part not started are ignored.
     *
     * @throws IllegalArgumentException if a credential is blank or no part is given
     * @throws IllegalStateException    if a port is taken or a server fails to start
     */
    public static DevStack start(Path dir, Ports ports, String accessKey, String secretKey, Set<Part> parts) {
        return start(dir, ports, accessKey, secretKey, parts, false);
    }

    /**
     * {@link #start(Path, Ports, String, String, Set)}, in the secure mode if {@code secure}: Kafka over TLS with a
     * SASL user per service and for the submitter, each allowed only what {@code dev.fedgan.protocol.KafkaAccess}
     * grants it, and S3 over HTTPS only; the users' passwords in {@code DIR/kafka-users.properties} and the TLS trust
     * store in {@code DIR/tls}, made on the first secure start and kept, and each user's Kafka client settings in
     * {@code DIR/clients/USER.properties} (for {@code --kafka-config}; the trust store there is S3's too).
     */
    public static DevStack start(Path dir, Ports ports, String accessKey, String secretKey, Set<Part> parts,
            boolean secure) {
        Objects.requireNonNull(dir, "dir");
        return start(dir, false, ports, accessKey, secretKey, parts, secure);
    }

    /**
     * Starts a stack in a temporary directory that {@link #close()} deletes, with the default S3 credentials.
     *
     * @throws IllegalStateException if a port is taken or a server fails to start
     */
    public static DevStack startTemporary(Ports ports) {
        return startTemporary(ports, EmbeddedS3.DEFAULT_ACCESS_KEY, EmbeddedS3.DEFAULT_SECRET_KEY);
    }

    /**
     * Starts a stack in a temporary directory that {@link #close()} deletes, with the given S3 credentials.
     *
     * @throws IllegalArgumentException if a credential is blank
     * @throws IllegalStateException    if a port is taken or a server fails to start
     */
    public static DevStack startTemporary(Ports ports, String accessKey, String secretKey) {
        Path dir;
        try {
            dir = Files.createTempDirectory("fedgan-devstack-");
        } catch (IOException e) {
            throw new IllegalStateException("could not create a temporary directory: " + e.getMessage(), e);
        }
        try {
            return start(dir, true, ports, accessKey, secretKey, EnumSet.allOf(Part.class), false);
        } catch (RuntimeException e) {
            Dirs.deleteRecursively(dir);
            throw e;
        }
    }

    private static DevStack start(Path dir, boolean temporary, Ports ports, String accessKey, String secretKey,
            Set<Part> parts, boolean secure) {
        Objects.requireNonNull(ports, "ports");
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a stack needs Kafka, S3 or both");
        }
        EmbeddedKafka.Builder kafkaBuilder = EmbeddedKafka.builder().logDir(dir.resolve("kafka"))
                .brokerPort(ports.kafka()).controllerPort(ports.controller());
        EmbeddedS3.Builder s3Builder = EmbeddedS3.builder().dir(dir.resolve("s3")).port(ports.s3())
                .credentials(accessKey, secretKey);
        if (secure) {
            Tls tls = Tls.in(dir.resolve("tls"));
            EmbeddedKafka.Security security = new EmbeddedKafka.Security(tls,
                    KafkaUsers.password(dir, EmbeddedKafka.Security.ADMIN), KafkaUsers.passwords(dir));
            kafkaBuilder.security(security);
            KafkaUsers.writeClients(dir, security);
            s3Builder.tls(tls);
        }
        if (!parts.contains(Part.S3)) {
            return new DevStack(KafkaUsers.granted(kafkaBuilder.start()), null, dir, temporary);
        }
        if (!parts.contains(Part.KAFKA)) {
            return new DevStack(null, s3Builder.start(), dir, temporary);
        }
        // S3 starts (about 1 s) while Kafka does (2-3 s).
        CompletableFuture<EmbeddedS3> s3Start = new CompletableFuture<>();
        Thread s3Thread = new Thread(() -> {
            try {
                s3Start.complete(s3Builder.start());
            } catch (Throwable t) {
                s3Start.completeExceptionally(t);
            }
        }, "devstack-s3-start");
        s3Thread.setDaemon(true);
        s3Thread.start();
        EmbeddedKafka kafka;
        try {
            kafka = KafkaUsers.granted(kafkaBuilder.start());
        } catch (RuntimeException e) {
            try {
                s3Start.join().close();
            } catch (CompletionException suppressed) {
                e.addSuppressed(suppressed.getCause());
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        try {
            return new DevStack(kafka, s3Start.join(), dir, temporary);
        } catch (CompletionException e) {
            kafka.close();
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /**
     * The Kafka broker.
     *
     * @throws IllegalStateException if this stack runs S3 only
     */
    public EmbeddedKafka kafka() {
        if (kafka == null) {
            throw new IllegalStateException("this dev stack runs S3 only");
        }
        return kafka;
    }

    /**
     * The S3 store.
     *
     * @throws IllegalStateException if this stack runs Kafka only
     */
    public EmbeddedS3 s3() {
        if (s3 == null) {
            throw new IllegalStateException("this dev stack runs Kafka only");
        }
        return s3;
    }

    /** Kafka's {@code bootstrap.servers}: {@code 127.0.0.1:PORT}. */
    public String bootstrapServers() {
        return kafka().bootstrapServers();
    }

    /** The S3 endpoint: {@code http://127.0.0.1:PORT}. */
    public String s3Endpoint() {
        return s3().endpoint();
    }

    /** The S3 access key. */
    public String accessKey() {
        return s3().accessKey();
    }

    /** The S3 secret key. */
    public String secretKey() {
        return s3().secretKey();
    }

    /** The data directory ({@code kafka/} and {@code s3/} below it). */
    public Path dir() {
        return dir;
    }

    /** The ports in use (free ones resolved; 0 for a part not running). */
    public Ports ports() {
        return new Ports(kafka == null ? 0 : kafka.brokerPort(), kafka == null ? 0 : kafka.controllerPort(),
                s3 == null ? 0 : s3.port());
    }

    /** Stops S3 and Kafka; deletes the directory if it was temporary. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            try {
                if (s3 != null) {
                    s3.close();
                }
            } finally {
                if (kafka != null) {
                    kafka.close();
                }
            }
        } finally {
            if (temporary) {
                Dirs.deleteRecursively(dir);
            }
        }
    }

    /** Endpoints and credentials, one per line, as {@link #main} prints them. */
    public String describe() {
        List<String> lines = new ArrayList<>();
        if (kafka != null) {
            lines.add("  Kafka bootstrap servers  " + bootstrapServers() + "   (KAFKA_BOOTSTRAP_SERVERS)");
        }
        if (s3 != null) {
            lines.add("  S3 endpoint              " + s3Endpoint() + "   (path-style, region " + EmbeddedS3.REGION + ")");
            lines.add("  S3 access key            " + accessKey());
            lines.add("  S3 secret key            " + secretKey());
        }
        if (kafka != null) {
            lines.add("  Kafka controller port    " + kafka.controllerPort() + "   (internal)");
        }
        if (kafka != null && kafka.security() != null) {
            lines.add("  Kafka security           SASL_SSL, mechanism PLAIN; a user per service and 'submitter', "
                    + "each with its own ACLs");
            lines.add("  Kafka users              " + KafkaUsers.file(dir) + "   (user=password)");
        }
        Tls tls = kafka != null && kafka.security() != null ? kafka.security().tls() : s3 != null ? s3.tls() : null;
        if (tls != null) {
            lines.add("  TLS trust store          " + tls.trustStore() + "   (PKCS12, password " + tls.password() + ")");
        }
        lines.add("  data                     " + dir + (temporary ? "   (temporary, deleted on exit)" : ""));
        return String.join(System.lineSeparator(), lines);
    }

    /**
     * Starts the stack and keeps it up until the JVM is stopped (Ctrl-C, SIGTERM), then stops it cleanly.
     * {@code --help} lists the options. Exit status 2 for bad options, 1 if the stack does not start.
     */
    public static void main(String[] args) throws InterruptedException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("fedgan-devstack: " + e.getMessage());
            System.err.println("Try --help.");
            System.exit(2);
            return;
        }
        if (options.help) {
            usage(System.out);
            return;
        }
        // Kafka and S3Proxy log a lot at INFO; warnings and errors are what matter here.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", options.verbose ? "info" : "warn");
        }
        long t0 = System.nanoTime();
        DevStack stack;
        try {
            stack = options.dir == null && !options.secure
                    ? startTemporary(options.ports, options.accessKey, options.secretKey)
                    : start(options.dir, options.ports, options.accessKey, options.secretKey, options.parts,
                            options.secure);
        } catch (RuntimeException e) {
            System.err.println("fedgan-devstack: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("fedgan dev stack: stopping...");
            try {
                stack.close();
                System.out.println("fedgan dev stack: stopped.");
            } finally {
                stopped.countDown();
            }
        }, "devstack-shutdown"));
        System.out.printf(Locale.ROOT, "fedgan dev stack is up (%.1f s)%n%s%nCtrl-C stops it.%n",
                (System.nanoTime() - t0) / 1e9, stack.describe());
        System.out.flush();
        stopped.await();
    }

    static void usage(PrintStream out) {
        out.println(String.join(System.lineSeparator(),
                "Usage: fedgan-devstack [options]",
                "",
                "Runs the local development stack in one JVM until Ctrl-C: a single-node Kafka (KRaft, broker and",
                "controller) and an S3-compatible object store (S3Proxy on the filesystem), both on 127.0.0.1.",
                "",
                "Options:",
                "  --dir DIR              keep data in DIR (kafka/, s3/), reused on the next start;",
                "                         default: a temporary directory deleted on exit",
                "  --kafka-port N         Kafka client port (default " + Ports.DEFAULT.kafka() + ")",
                "  --controller-port N    Kafka KRaft controller port (default " + Ports.DEFAULT.controller() + ")",
                "  --s3-port N            S3 port (default " + Ports.DEFAULT.s3() + ")",
                "  --free-ports           pick free ports instead of the defaults (ports given explicitly still apply)",
                "  --only kafka|s3        run one server only (with --dir, so that its data outlives the process:",
                "                         Kafka and S3 as separate processes, to stop and restart one alone)",
                "  --access-key KEY       S3 access key (default " + EmbeddedS3.DEFAULT_ACCESS_KEY + ")",
                "  --secret-key KEY       S3 secret key (default " + EmbeddedS3.DEFAULT_SECRET_KEY + ")",
                "  --secure               Kafka over TLS with a SASL user per service and 'submitter', each allowed",
                "                         only its own topics and groups (ACLs), and S3 over HTTPS; needs --dir",
                "                         (users and trust store are kept there)",
                "  --verbose              Kafka's and S3Proxy's INFO logs too",
                "  -h, --help             this help",
                "",
                "A port of 0 picks a free one. S3 clients: path-style URLs, region " + EmbeddedS3.REGION + "."));
    }

    /** Command-line options of {@link #main}. */
    static final class Options {
        Path dir;
        Ports ports = Ports.DEFAULT;
        Set<Part> parts = EnumSet.allOf(Part.class);
        String accessKey = EmbeddedS3.DEFAULT_ACCESS_KEY;
        String secretKey = EmbeddedS3.DEFAULT_SECRET_KEY;
        boolean help;
        boolean verbose;
        boolean secure;

        /** @throws IllegalArgumentException for an unknown option, a missing value or a bad number */
        static Options parse(String... args) {
            Options o = new Options();
            Integer kafka = null;
            Integer controller = null;
            Integer s3 = null;
            boolean free = false;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    value = arg.substring(eq + 1);
                    arg = arg.substring(0, eq);
                }
                switch (arg) {
                    case "-h", "--help" -> o.help = true;
                    case "--verbose" -> o.verbose = true;
                    case "--secure" -> o.secure = true;
                    case "--free-ports" -> free = true;
                    case "--dir", "--kafka-port", "--controller-port", "--s3-port", "--access-key", "--secret-key",
                            "--only" -> {
                        if (value == null) {
                            if (i + 1 >= args.length) {
                                throw new IllegalArgumentException(arg + " needs a value");
                            }
                            value = args[++i];
                        }
                        switch (arg) {
                            case "--dir" -> o.dir = Path.of(value);
                            case "--kafka-port" -> kafka = port(arg, value);
                            case "--controller-port" -> controller = port(arg, value);
                            case "--s3-port" -> s3 = port(arg, value);
                            case "--access-key" -> o.accessKey = nonBlank(arg, value);
                            case "--only" -> o.parts = switch (value.strip().toLowerCase(Locale.ROOT)) {
                                case "kafka" -> EnumSet.of(Part.KAFKA);
                                case "s3" -> EnumSet.of(Part.S3);
                                default -> throw new IllegalArgumentException("--only takes kafka or s3, got '"
                                        + value + "'");
                            };
                            default -> o.secretKey = nonBlank(arg, value);
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                }
            }
            if (o.secure && o.dir == null) {
                throw new IllegalArgumentException("--secure needs --dir: the users' passwords and the trust store "
                        + "that clients need are kept there");
            }
            if (o.parts.size() == 1 && o.dir == null) {
                throw new IllegalArgumentException("--only needs --dir: one server alone is run to be stopped and "
                        + "restarted, and its data must outlive the process");
            }
            Ports base = free ? Ports.FREE : Ports.DEFAULT;
            o.ports = new Ports(kafka != null ? kafka : base.kafka(),
                    controller != null ? controller : base.controller(),
                    s3 != null ? s3 : base.s3());
            return o;
        }

        private static int port(String option, String value) {
            try {
                return Net.checkPort(option, Integer.parseInt(value.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " needs a port number, got '" + value + "'");
            }
        }

        private static String nonBlank(String option, String value) {
            if (value.isBlank()) {
                throw new IllegalArgumentException(option + " must not be blank");
            }
            return value;
        }
    }
}

package dev.fedgan.devstack;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node Kafka cluster in this JVM: one KRaft process that is both broker and controller, listening on
 * 127.0.0.1 only, PLAINTEXT, with every internal topic at replication factor 1.
 *
 * <p>The log directory is formatted on first start ({@code kafka-storage format}) and reused as it is when it was
 * formatted before, so a given directory keeps its topics across restarts. Without a directory a temporary one is
 * made and deleted by {@link #close()}. Broker defaults are Kafka's own except where a one-node development
 * cluster needs otherwise (see {@link #brokerProperties()}); notably the maximum message size stays at Kafka's
 * default of about 1 MiB, as in production, which is why tensors travel through object storage.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.builder().start()) {
 *     kafka.createTopic("rounds", 1);
 *     String bootstrap = kafka.bootstrapServers(); // 127.0.0.1:PORT
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** The host every listener binds to and advertises. */
    public static final String HOST = "127.0.0.1";

    private static final int NODE_ID = 1;
    private static final Object EXIT_LOCK = new Object();
    private static final long ADMIN_TIMEOUT_MS = 30_000;

    private final Path logDir;
    private final boolean deleteLogDirOnClose;
    private final int brokerPort;
    private final int controllerPort;
    private final String clusterId;
    private final Map<String, String> brokerProperties;
    private final KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafka(Path logDir, boolean deleteLogDirOnClose, int brokerPort, int controllerPort,
                          String clusterId, Map<String, String> brokerProperties, KafkaRaftServer server) {
        this.logDir = logDir;
        this.deleteLogDirOnClose = deleteLogDirOnClose;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.clusterId = clusterId;
        this.brokerProperties = brokerProperties;
        this.server = server;
    }

    /** A builder: free ports and a temporary log directory unless told otherwise. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts a broker on free ports with a temporary log directory, deleted on {@link #close()}. */
    public static EmbeddedKafka start() {
        return builder().start();
    }

    /** {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    /** The port of the PLAINTEXT (client) listener. */
    public int brokerPort() {
        return brokerPort;
    }

    /** The port of the KRaft controller listener; clients never need it. */
    public int controllerPort() {
        return controllerPort;
    }

    /** The log directory (data and KRaft metadata). */
    public Path logDir() {
        return logDir;
    }

    /** The cluster id in the log directory's {@code meta.properties}. */
    public String clusterId() {
        return clusterId;
    }

    /** The broker configuration this broker was started with (a copy). */
    public Map<String, String> brokerProperties() {
        return new LinkedHashMap<>(brokerProperties);
    }

    /**
     * Creates a topic with replication factor 1 and waits until it is created. A topic of that name that already
     * exists is left as it is (its partition count is not checked).
     *
     * @throws IllegalArgumentException if the name is blank or partitions is not positive
     * @throws IllegalStateException    if the broker is closed or the creation fails or times out
     */
    public void createTopic(String name, int partitions) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("topic name must not be blank");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        ensureOpen();
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create topic '" + name + "': " + e.getCause(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("creating topic '" + name + "' took more than " + ADMIN_TIMEOUT_MS + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic '" + name + "'", e);
        }
    }

    /**
     * An admin client for this broker; the caller closes it.
     *
     * @throws IllegalStateException if the broker is closed
     */
    public Admin admin() {
        ensureOpen();
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT_MS);
        return Admin.create(props);
    }

    /** Shuts the broker down and waits for it; deletes the log directory if this instance made it. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (deleteLogDirOnClose) {
                Dirs.deleteRecursively(logDir);
            }
        }
    }

    private synchronized void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the Kafka broker on " + bootstrapServers() + " is closed");
        }
    }

    /** Options of an {@link EmbeddedKafka}; {@link #start()} starts it. */
    public static final class Builder {
        private Path logDir;
        private int brokerPort;
        private int controllerPort;
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * The log directory, created if missing and kept on close. Default: a temporary directory, deleted on close.
         */
        public Builder logDir(Path dir) {
            this.logDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** The client (PLAINTEXT) port; 0, the default, picks a free one. */
        public Builder brokerPort(int port) {
            this.brokerPort = Net.checkPort("broker port", port);
            return this;
        }

        /** The KRaft controller port; 0, the default, picks a free one. */
        public Builder controllerPort(int port) {
            this.controllerPort = Net.checkPort("controller port", port);
            return this;
        }

        /**
         * Sets a broker property, replacing this class's default if it has one (e.g. {@code message.max.bytes}).
         * The listener, node and directory properties are set from this builder and cannot be overridden.
         *
         * @throws IllegalArgumentException for a property this builder owns
         */
        public Builder brokerProperty(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (OWNED.contains(key)) {
                throw new IllegalArgumentException("broker property '" + key + "' is set by EmbeddedKafka itself; "
                        + "use the builder's port and directory options instead");
            }
            overrides.put(key, value);
            return this;
        }

        /**
         * Formats the log directory if needed and starts the broker; returns once it serves clients.
         *
         * @throws IllegalArgumentException if the broker and controller ports are the same
         * @throws IllegalStateException    if a port is taken or the broker fails to start
         */
        public EmbeddedKafka start() {
            int bport = brokerPort == 0 ? Net.freePort() : brokerPort;
            int cport = controllerPort == 0 ? Net.freePort(bport) : controllerPort;
            if (bport == cport) {
                throw new IllegalArgumentException("broker and controller ports must differ, both are " + bport);
            }
            // Ports picked by Net.freePort were just found free; only ports given explicitly need the check.
            if (brokerPort != 0) {
                Net.checkFree("Kafka broker", bport);
            }
            if (controllerPort != 0) {
                Net.checkFree("Kafka controller", cport);
            }

            boolean temporary = logDir == null;
            Path dir;
            try {
                dir = temporary ? Files.createTempDirectory("fedgan-kafka-") : Files.createDirectories(logDir);
            } catch (IOException e) {
                throw new IllegalStateException("could not create the Kafka log directory "
                        + (temporary ? "(temporary)" : logDir) + ": " + e.getMessage(), e);
            }
            try {
                Map<String, String> props = properties(dir, bport, cport);
                String clusterId = format(dir);
                Properties javaProps = new Properties();
                javaProps.putAll(props);
                KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(javaProps, false), Time.SYSTEM);
                startWithoutExiting(server);
                return new EmbeddedKafka(dir, temporary, bport, cport, clusterId, props, server);
            } catch (RuntimeException e) {
                if (temporary) {
                    Dirs.deleteRecursively(dir);
                }
                throw new IllegalStateException("the Kafka broker on " + HOST + ":" + bport + " (controller "
                        + cport + ", log dir " + dir + ") failed to start: " + e.getMessage(), e);
            }
        }

        /**
         * Starts the server with Kafka's exit and halt procedures turned into exceptions: a broker that fails to
         * start calls {@code Exit.halt}, which would end the whole JVM (a test run, a service under test) instead
         * of failing this call. They are reset to Kafka's defaults afterwards, so a fatal error of a running broker
         * still ends the process, as it does for a standalone broker.
         */
        private static void startWithoutExiting(KafkaRaftServer server) {
            synchronized (EXIT_LOCK) {
                Exit.Procedure refuse = (status, message) -> {
                    throw new IllegalStateException("Kafka asked to end the JVM with status " + status
                            + (message == null ? "" : ": " + message));
                };
                Exit.setExitProcedure(refuse);
                Exit.setHaltProcedure(refuse);
                try {
                    server.startup();
                } catch (RuntimeException | Error e) {
                    try {
                        server.shutdown();
                        server.awaitShutdown();
                    } catch (RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                    throw e;
                } finally {
                    Exit.resetExitProcedure();
                    Exit.resetHaltProcedure();
                }
            }
        }

        private Map<String, String> properties(Path dir, int bport, int cport) {
            Map<String, String> p = new LinkedHashMap<>();
            // One process, both roles, a static quorum of itself.
            p.put("process.roles", "broker,controller");
            p.put("node.id", Integer.toString(NODE_ID));
            p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + cport);
            p.put("listeners", "PLAINTEXT://" + HOST + ":" + bport + ",CONTROLLER://" + HOST + ":" + cport);
            p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + bport);
            p.put("controller.listener.names", "CONTROLLER");
            p.put("inter.broker.listener.name", "PLAINTEXT");
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.put("log.dirs", dir.toAbsolutePath().toString());
            // One node: every internal topic at replication factor 1, and few partitions, so that the first
            // consumer group or transaction does not wait for 50 partitions to be created.
            p.put("offsets.topic.replication.factor", "1");
            p.put("offsets.topic.num.partitions", "1");
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            p.put("transaction.state.log.num.partitions", "1");
            p.put("share.coordinator.state.topic.replication.factor", "1");
            p.put("share.coordinator.state.topic.min.isr", "1");
            p.put("share.coordinator.state.topic.num.partitions", "1");
            p.put("default.replication.factor", "1");
            p.put("num.partitions", "1");
            // A consumer joining a new group gets its partitions at once instead of after 3 s.
            p.put("group.initial.rebalance.delay.ms", "0");
            // The log cleaner reserves 128 MiB of heap by default; compacted topics here are tiny.
            p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
            p.put("log.cleaner.threads", "1");
            // Fewer threads than Kafka's server defaults: this is a shared development machine.
            p.put("num.network.threads", "2");
            p.put("num.io.threads", "2");
            p.put("background.threads", "2");
            p.put("num.recovery.threads.per.data.dir", "1");
            p.putAll(overrides);
            return p;
        }

        /** Formats the directory as {@code kafka-storage format} would, unless it is already; returns the cluster id. */
        private static String format(Path dir) {
            Path meta = dir.resolve("meta.properties");
            try {
                if (Files.exists(meta)) {
                    Properties existing = new Properties();
                    try (var in = Files.newInputStream(meta)) {
                        existing.load(in);
                    }
                    String id = existing.getProperty("cluster.id");
                    if (id == null) {
                        throw new IllegalStateException(meta + " has no cluster.id: not a Kafka log directory?");
                    }
                    return id;
                }
                String clusterId = Uuid.randomUuid().toString();
                new Formatter()
                        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                        .setNodeId(NODE_ID)
                        .setClusterId(clusterId)
                        .setControllerListenerName("CONTROLLER")
                        .setMetadataLogDirectory(dir.toAbsolutePath().toString())
                        .addDirectory(dir.toAbsolutePath().toString())
                        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                        .run();
                return clusterId;
            } catch (IllegalStateException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("could not format the Kafka log directory " + dir + ": " + e.getMessage(), e);
            }
        }

        private static final java.util.Set<String> OWNED = java.util.Set.of(
                "process.roles", "node.id", "controller.quorum.voters", "controller.quorum.bootstrap.servers",
                "listeners", "advertised.listeners", "controller.listener.names", "inter.broker.listener.name",
                "listener.security.protocol.map", "log.dirs", "log.dir", "metadata.log.dir");
    }
}

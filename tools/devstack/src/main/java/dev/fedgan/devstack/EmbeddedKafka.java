package dev.fedgan.devstack;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
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
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node Kafka cluster in this JVM: one KRaft process that is both broker and controller, listening on
 * 127.0.0.1 only, PLAINTEXT (or, in the {@link Security secure mode}, TLS with SASL users and ACLs), with every
 * internal topic at replication factor 1.
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
    private final Security security;
    private boolean closed;

    /**
     * The secure mode: both listeners (clients' and the controller's) TLS with SASL/PLAIN, each client a user with a
     * password, and Kafka's authorizer on, so that a user may do only what an ACL allows ({@link #grant}); the broker
     * itself and {@link #admin()} act as {@code admin}, the one super user.
     *
     * @param tls           the broker's certificate, and the trust store clients use
     * @param adminPassword the super user's password
     * @param users         the other users and their passwords
     */
    public record Security(Tls tls, String adminPassword, Map<String, String> users) {
        /** The super user's name. */
        public static final String ADMIN = "admin";

        public Security {
            Objects.requireNonNull(tls, "tls");
            users = Map.copyOf(users);
            if (adminPassword == null || adminPassword.isBlank() || users.values().stream().anyMatch(String::isBlank)) {
                throw new IllegalArgumentException("Kafka passwords must not be blank");
            }
            if (users.containsKey(ADMIN)) {
                throw new IllegalArgumentException("'" + ADMIN + "' is the super user; give the others other names");
            }
        }

        /** What a client of user {@code user} sets besides {@code bootstrap.servers}: SASL_SSL, PLAIN, the trust store. */
        public Map<String, String> clientProperties(String user, String password) {
            return Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN",
                    "sasl.jaas.config", jaas(user, password, Map.of()),
                    "ssl.truststore.location", tls.trustStore().toString(), "ssl.truststore.type", "PKCS12",
                    "ssl.truststore.password", tls.password());
        }

        static String jaas(String user, String password, Map<String, String> accounts) {
            StringBuilder s = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required")
                    .append(" username=\"").append(user).append("\" password=\"").append(password).append('"');
            accounts.forEach((u, pw) -> s.append(" user_").append(u).append("=\"").append(pw).append('"'));
            return s.append(';').toString();
        }
    }

    private EmbeddedKafka(Path logDir, boolean deleteLogDirOnClose, int brokerPort, int controllerPort,
                          String clusterId, Map<String, String> brokerProperties, KafkaRaftServer server,
                          Security security) {
        this.security = security;
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

    /** The port of the client listener (PLAINTEXT, or SASL_SSL in the secure mode). */
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
        if (security != null) {
            props.putAll(security.clientProperties(Security.ADMIN, security.adminPassword()));
        }
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT_MS);
        return Admin.create(props);
    }

    /** The secure mode's settings, or null for a PLAINTEXT broker. */
    public Security security() {
        return security;
    }

    /**
     * Allows {@code user} (secure mode) to read the {@code reads} topics, write the {@code writes} topics and use the
     * consumer groups {@code groups} (a name ending in {@code *} is a prefix), and nothing else: Kafka's authorizer
     * refuses whatever no ACL allows.
     *
     * @throws IllegalStateException if the broker is not in secure mode or the ACLs cannot be created
     */
    public void grant(String user, Collection<String> reads, Collection<String> writes, Collection<String> groups) {
        if (security == null) {
            throw new IllegalStateException("ACLs need the secure mode (a PLAINTEXT broker authorizes nothing)");
        }
        String principal = "User:" + user;
        List<AclBinding> acls = new ArrayList<>();
        reads.forEach(t -> acls.add(allow(ResourceType.TOPIC, t, principal, AclOperation.READ)));
        writes.forEach(t -> acls.add(allow(ResourceType.TOPIC, t, principal, AclOperation.WRITE)));
        groups.forEach(g -> acls.add(allow(ResourceType.GROUP, g, principal, AclOperation.READ)));
        try (Admin admin = admin()) {
            admin.createAcls(acls).all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create the ACLs of " + user + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating ACLs", e);
        }
    }

    private static AclBinding allow(ResourceType type, String name, String principal, AclOperation op) {
        boolean prefix = name.endsWith("*");
        return new AclBinding(new ResourcePattern(type, prefix ? name.substring(0, name.length() - 1) : name,
                prefix ? PatternType.PREFIXED : PatternType.LITERAL),
                new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW));
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
        private Security security;

        private Builder() {
        }

        /** The secure mode (TLS, SASL/PLAIN users, ACLs); default PLAINTEXT without authorization. */
        public Builder security(Security security) {
            this.security = Objects.requireNonNull(security, "security");
            return this;
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
                return new EmbeddedKafka(dir, temporary, bport, cport, clusterId, props, server, security);
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

        /**
         * Both listeners TLS + SASL/PLAIN (the controller's too: an unauthenticated controller port would let any
         * local process act on the cluster), the broker talking to itself as {@code admin}, the authorizer on.
         */
        private void secure(Map<String, String> p, int bport, int cport) {
            Map<String, String> accounts = new LinkedHashMap<>();
            accounts.put(Security.ADMIN, security.adminPassword());
            accounts.putAll(security.users());
            p.put("listeners", "SASL_SSL://" + HOST + ":" + bport + ",CONTROLLER://" + HOST + ":" + cport);
            p.put("advertised.listeners", "SASL_SSL://" + HOST + ":" + bport);
            p.put("inter.broker.listener.name", "SASL_SSL");
            p.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:SASL_SSL");
            p.put("sasl.enabled.mechanisms", "PLAIN");
            p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
            p.put("sasl.mechanism.controller.protocol", "PLAIN");
            p.put("listener.name.sasl_ssl.plain.sasl.jaas.config",
                    Security.jaas(Security.ADMIN, security.adminPassword(), accounts));
            p.put("listener.name.controller.plain.sasl.jaas.config", Security.jaas(Security.ADMIN,
                    security.adminPassword(), Map.of(Security.ADMIN, security.adminPassword())));
            Tls tls = security.tls();
            for (String side : List.of("keystore", "truststore")) {
                Path store = side.equals("keystore") ? tls.keyStore() : tls.trustStore();
                p.put("ssl." + side + ".location", store.toString());
                p.put("ssl." + side + ".type", "PKCS12");
                p.put("ssl." + side + ".password", tls.password());
            }
            p.put("ssl.key.password", tls.password());
            p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            p.put("super.users", "User:" + Security.ADMIN);
            p.put("allow.everyone.if.no.acl.found", "false");
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
            if (security != null) {
                secure(p, bport, cport);
            }
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

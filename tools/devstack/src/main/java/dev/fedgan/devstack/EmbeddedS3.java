package dev.fedgan.devstack;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * An S3-compatible object store in this JVM: S3Proxy serving a directory of the filesystem over plain HTTP on
 * 127.0.0.1, requiring AWS signature V2 or V4 with one access key / secret key pair. Buckets are subdirectories of
 * the directory and objects are files in them, so data outlives a restart on the same directory. It stands in for
 * MinIO in development and tests; any S3 client (MinIO's, the AWS SDK) talks to it with path-style URLs and the
 * region {@code us-east-1}.
 *
 * <pre>{@code
 * try (EmbeddedS3 s3 = EmbeddedS3.builder().start()) {
 *     MinioClient minio = MinioClient.builder().endpoint(s3.endpoint())
 *         .credentials(s3.accessKey(), s3.secretKey()).region("us-east-1").build();
 * }
 * }</pre>
 */
public final class EmbeddedS3 implements AutoCloseable {

    /** The access key used when none is given. */
    public static final String DEFAULT_ACCESS_KEY = "fedgan";
    /** The secret key used when none is given. A development credential, not a secret. */
    public static final String DEFAULT_SECRET_KEY = "fedgan-dev-secret";
    /** The region S3 clients should sign for. */
    public static final String REGION = "us-east-1";

    private static final long START_TIMEOUT_MS = 30_000;

    private final S3Proxy proxy;
    private final BlobStore blobStore;
    private final Path dir;
    private final boolean deleteDirOnClose;
    private final int port;
    private final String accessKey;
    private final String secretKey;
    private final Tls tls;
    private boolean closed;

    private EmbeddedS3(S3Proxy proxy, BlobStore blobStore, Path dir, boolean deleteDirOnClose, int port,
                       String accessKey, String secretKey, Tls tls) {
        this.tls = tls;
        this.proxy = proxy;
        this.blobStore = blobStore;
        this.dir = dir;
        this.deleteDirOnClose = deleteDirOnClose;
        this.port = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /** A builder: a free port, a temporary directory and the default credentials unless told otherwise. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts a store on a free port, in a temporary directory deleted on {@link #close()}, with the default keys. */
    public static EmbeddedS3 start() {
        return builder().start();
    }

    /** {@code http://127.0.0.1:PORT} ({@code https} with TLS), the S3 endpoint (path-style). */
    public String endpoint() {
        return (tls == null ? "http" : "https") + "://" + EmbeddedKafka.HOST + ":" + port;
    }

    /** The TLS identity it serves with, or null for plain HTTP. */
    public Tls tls() {
        return tls;
    }

    /** The port it listens on. */
    public int port() {
        return port;
    }

    /** The directory holding the buckets. */
    public Path dir() {
        return dir;
    }

    /** The access key clients must sign with. */
    public String accessKey() {
        return accessKey;
    }

    /** The secret key clients must sign with. */
    public String secretKey() {
        return secretKey;
    }

    /** Stops the server (waiting at most a second for requests in flight); deletes the directory if it made it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            proxy.stop();
        } catch (java.util.concurrent.TimeoutException e) {
            // Jetty's graceful stop gave up on a client's open keep-alive connection after its grace: stopped anyway.
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the S3 server on " + endpoint() + ": " + e.getMessage(), e);
        } finally {
            try {
                blobStore.close();
            } finally {
                if (deleteDirOnClose) {
                    Dirs.deleteRecursively(dir);
                }
            }
        }
    }

    /** Options of an {@link EmbeddedS3}; {@link #start()} starts it. */
    public static final class Builder {
        private Path dir;
        private int port;
        private String accessKey = DEFAULT_ACCESS_KEY;
        private String secretKey = DEFAULT_SECRET_KEY;
        private Tls tls;

        private Builder() {
        }

        /** Serve HTTPS only, with this identity's certificate; default plain HTTP. */
        public Builder tls(Tls tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** The directory for buckets, created if missing and kept on close. Default: a temporary one, deleted on close. */
        public Builder dir(Path dir) {
            this.dir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** The HTTP port; 0, the default, picks a free one. */
        public Builder port(int port) {
            this.port = Net.checkPort("S3 port", port);
            return this;
        }

        /**
         * The credentials clients must sign requests with.
         *
         * @throws IllegalArgumentException if either is blank
         */
        public Builder credentials(String accessKey, String secretKey) {
            if (accessKey == null || accessKey.isBlank()) {
                throw new IllegalArgumentException("S3 access key must not be blank");
            }
            if (secretKey == null || secretKey.isBlank()) {
                throw new IllegalArgumentException("S3 secret key must not be blank");
            }
            this.accessKey = accessKey;
            this.secretKey = secretKey;
            return this;
        }

        /**
         * Starts the server; returns once it accepts requests.
         *
         * @throws IllegalStateException if the port is taken or the server fails to start
         */
        public EmbeddedS3 start() {
            if (port != 0) {
                Net.checkFree("S3", port);
            }
            boolean temporary = dir == null;
            Path root;
            try {
                root = temporary ? Files.createTempDirectory("fedgan-s3-") : Files.createDirectories(dir);
            } catch (IOException e) {
                throw new IllegalStateException("could not create the S3 directory "
                        + (temporary ? "(temporary)" : dir) + ": " + e.getMessage(), e);
            }
            BlobStore blobStore = null;
            S3Proxy proxy = null;
            try {
                blobStore = new FilesystemNio2BlobStore(root.toAbsolutePath().toString());
                S3Proxy.Builder b = S3Proxy.builder()
                        .blobStore(blobStore)
                        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                        .stopTimeout(1000);
                if (tls == null) {
                    b.endpoint(URI.create("http://" + EmbeddedKafka.HOST + ":" + port));
                } else {
                    b.secureEndpoint(URI.create("https://" + EmbeddedKafka.HOST + ":" + port))
                            .keyStore(tls.keyStore().toString(), tls.password());
                }
                proxy = b.build();
                proxy.start();
                long deadline = System.nanoTime() + START_TIMEOUT_MS * 1_000_000;
                while (!"STARTED".equals(proxy.getState())) {
                    if ("FAILED".equals(proxy.getState()) || System.nanoTime() > deadline) {
                        throw new IllegalStateException("S3Proxy state " + proxy.getState());
                    }
                    Thread.sleep(10);
                }
                return new EmbeddedS3(proxy, blobStore, root, temporary,
                        tls == null ? proxy.getPort() : proxy.getSecurePort(), accessKey, secretKey, tls);
            } catch (Exception e) {
                if (proxy != null) {
                    try {
                        proxy.stop();
                    } catch (Exception suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                if (blobStore != null) {
                    blobStore.close();
                }
                if (temporary) {
                    Dirs.deleteRecursively(root);
                }
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("the S3 server on " + EmbeddedKafka.HOST + ":"
                        + (port == 0 ? "(free port)" : port) + " (dir " + root + ") failed to start: "
                        + e.getMessage(), e);
            }
        }
    }
}

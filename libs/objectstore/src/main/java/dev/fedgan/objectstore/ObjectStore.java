package dev.fedgan.objectstore;

import dev.fedgan.protocol.ObjectRef;
import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.S3Escaper;
import io.minio.Signer;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.Time;
import io.minio.Xml;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.InsufficientDataException;
import io.minio.errors.ServerException;
import io.minio.errors.XmlParserException;
import io.minio.http.HttpUtils;
import io.minio.messages.ErrorResponse;
import io.minio.messages.Item;
import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bucket of an S3-compatible object store (MinIO in production, S3Proxy in tests), through the MinIO client:
 * blocking calls, every object checksummed.
 *
 * <ul>
 *   <li>Every {@code put} stores the object's SHA-256 and size as user metadata ({@code x-amz-meta-sha256},
 *       {@code x-amz-meta-size}).</li>
 *   <li>Every {@code get} checks the bytes it read against that metadata (or against a claim's values) and throws
 *       a {@link StorageException} naming the object otherwise: a corrupt or truncated object is never returned.</li>
 *   <li>Transient failures (connection errors, HTTP 5xx) are retried with backoff ({@link RetryPolicy}); client
 *       errors (4xx) are not.</li>
 * </ul>
 *
 * Objects are held in memory whole: this is for model weights, deltas and result files (megabytes), not for
 * data sets. Every object goes up in one PUT request, never as a multipart upload (S3 takes up to 5 GiB in one PUT,
 * and 5 MiB parts make a reference-size delta's upload about twice as slow; bench's ObjectStoreProbe), sent from
 * the caller's array (the MinIO client's own {@code putObject} copies the bytes into buffers it grows as it reads and hashes them
 * again). The PUT is signed (AWS signature V4, MinIO's {@link Signer}) over its headers with an
 * {@code UNSIGNED-PAYLOAD}, and carries the bytes' CRC32C ({@code x-amz-checksum-crc32c}): the server checks the
 * upload against it as the body streams in and refuses a damaged one, without hashing the payload with SHA-256 a
 * second time (a signed payload costs the server about a third more CPU per PUT). The
 * SHA-256 every reader checks is the object's metadata. Every other request goes through the MinIO client. Thread-safe; close it to stop the HTTP
 * client's threads.
 */
public final class ObjectStore implements AutoCloseable {

    /** The region clients sign for (MinIO's default; S3Proxy accepts it). */
    public static final String REGION = "us-east-1";
    /** User metadata holding the SHA-256 of the object's bytes (64 lowercase hex digits). */
    public static final String SHA256_METADATA = "sha256";
    /** User metadata holding the object's size in bytes. */
    public static final String SIZE_METADATA = "size";

    private static final Logger LOG = LoggerFactory.getLogger(ObjectStore.class);
    private static final String OCTET_STREAM = "application/octet-stream";
    /** The payload hash a V4 signature names when the payload itself is not part of it. */
    private static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

    private final MinioClient client;
    /** The HTTP client under {@link #client}, which {@link #put} uses directly. */
    private final OkHttpClient http;
    private final String endpoint;
    private final HttpUrl base;
    private final String accessKey;
    private final String secretKey;
    private final String bucket;
    private final RetryPolicy retry;
    private final java.util.concurrent.atomic.LongAdder bytesRead = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder bytesWritten = new java.util.concurrent.atomic.LongAdder();

    /** What a request does, as S3 policies grant it. */
    public enum Action {
        /** GetObject, HeadObject ({@code s3:GetObject}). */
        READ,
        /** PutObject ({@code s3:PutObject}). */
        WRITE,
        /** DeleteObject ({@code s3:DeleteObject}). */
        DELETE,
        /** ListObjects under a prefix ({@code s3:ListBucket} with that {@code s3:prefix}). */
        LIST
    }

    /** Which actions on which keys (or, for {@link Action#LIST}, prefixes) an identity is allowed. */
    @FunctionalInterface
    public interface Policy {
        boolean allows(Action action, String keyOrPrefix);
    }

    /** The identity's policy checked before each request, as the server would (null: the server's alone). */
    private volatile Policy policy;
    private volatile String policyName;

    private ObjectStore(MinioClient client, OkHttpClient http, String endpoint, String accessKey, String secretKey,
            String bucket, RetryPolicy retry) {
        this.client = client;
        this.http = http;
        this.endpoint = endpoint;
        this.base = HttpUtils.getBaseUrl(endpoint);
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.bucket = bucket;
        this.retry = retry;
    }

    /** {@link #connect(String, String, String, String, RetryPolicy)} with {@link RetryPolicy#DEFAULT}. */
    public static ObjectStore connect(String endpoint, String accessKey, String secretKey, String bucket) {
        return connect(endpoint, accessKey, secretKey, bucket, RetryPolicy.DEFAULT);
    }

    /**
     * Connects to the store at {@code endpoint} (e.g. {@code http://minio:9000}, path-style) and makes sure
     * {@code bucket} exists, creating it if missing. This first request checks the credentials too.
     *
     * @throws StorageException {@link StorageException.Reason#ACCESS_DENIED} for wrong credentials,
     *                          {@link StorageException.Reason#UNAVAILABLE} if the endpoint cannot be reached
     * @throws IllegalArgumentException for a malformed endpoint or bucket name
     */
    public static ObjectStore connect(String endpoint, String accessKey, String secretKey, String bucket,
                                      RetryPolicy retry) {
        return connect(endpoint, accessKey, secretKey, bucket, retry, null);
    }

    /**
     * {@link #connect(String, String, String, String, RetryPolicy)} trusting, for an {@code https} endpoint, the
     * certificates in {@code trustStore} (e.g. a private CA's) instead of the JVM's default ones; null: the default.
     */
    public static ObjectStore connect(String endpoint, String accessKey, String secretKey, String bucket,
                                      RetryPolicy retry, KeyStore trustStore) {
        return connect(endpoint, accessKey, secretKey, bucket, retry, trustStore, true);
    }

    /**
     * {@link #connect(String, String, String, String, RetryPolicy, KeyStore)}; with {@code ensureBucket} false it
     * sends no request at all: for an identity whose policy allows objects under prefixes only (checking or creating
     * the bucket needs {@code s3:ListBucket} on all of it), where the bucket is made by whoever set the policies.
     */
    public static ObjectStore connect(String endpoint, String accessKey, String secretKey, String bucket,
                                      RetryPolicy retry, KeyStore trustStore, boolean ensureBucket) {
        if (endpoint == null || endpoint.isBlank()) {
            throw new IllegalArgumentException("S3 endpoint must not be blank");
        }
        if (accessKey == null || accessKey.isBlank() || secretKey == null || secretKey.isBlank()) {
            throw new IllegalArgumentException("S3 access key and secret key must not be blank (endpoint " + endpoint + ")");
        }
        if (bucket == null || !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("invalid S3 bucket name '" + bucket
                    + "': 3-63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter or digit");
        }
        // Fail over a dead endpoint in seconds, not minutes; the read/write limits bound a stalled transfer.
        OkHttpClient http = HttpUtils.newDefaultHttpClient(TimeUnit.SECONDS.toMillis(5), TimeUnit.SECONDS.toMillis(120),
                TimeUnit.SECONDS.toMillis(120));
        if (trustStore != null) {
            http = trusting(http, trustStore);
        }
        MinioClient client;
        try {
            client = MinioClient.builder().endpoint(endpoint).credentials(accessKey, secretKey).region(REGION)
                    .httpClient(http).build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid S3 endpoint '" + endpoint + "': " + e.getMessage(), e);
        }
        ObjectStore store = new ObjectStore(client, http, endpoint, accessKey, secretKey, bucket, retry);
        try {
            if (ensureBucket) {
                store.ensureBucket(accessKey);
            }
            return store;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * Refuses, before sending it, any request that {@code policy} (the identity {@code name}'s) does not allow, with
     * {@link StorageException.Reason#ACCESS_DENIED} as the server would: where the server enforces per-service
     * policies (MinIO in the chart) this refuses the same requests sooner and the same way; where it cannot (the dev
     * stack's S3Proxy has one identity) this is what enforces them, so that tests and the local run meet a denial
     * exactly where production would.
     *
     * @return this store
     */
    public ObjectStore restrictTo(String name, Policy policy) {
        this.policyName = name;
        this.policy = policy;
        return this;
    }

    private void allow(Action action, String keyOrPrefix) {
        Policy p = policy;
        if (p != null && !p.allows(action, keyOrPrefix)) {
            throw new StorageException(StorageException.Reason.ACCESS_DENIED, action == Action.LIST ? null : keyOrPrefix,
                    policyName + " may not " + action.name().toLowerCase(Locale.ROOT) + " "
                    + (action == Action.LIST ? "under prefix '" + keyOrPrefix + "' of bucket " + bucket : uri(keyOrPrefix))
                    + " (its object-store policy, docs/security.md)");
        }
    }

    private static OkHttpClient trusting(OkHttpClient http, KeyStore trustStore) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(
                    TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore);
            X509TrustManager tm = (X509TrustManager) Arrays
                    .stream(tmf.getTrustManagers()).filter(t -> t instanceof X509TrustManager)
                    .findFirst().orElseThrow(() -> new IllegalArgumentException("no X.509 trust manager"));
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new TrustManager[] {tm}, null);
            return http.newBuilder().sslSocketFactory(ssl.getSocketFactory(), tm).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("unusable S3 trust store: " + e.getMessage(), e);
        }
    }

    /**
     * A trust store read from {@code file}: PEM certificates (a CA's {@code ca.crt}, as a Kubernetes Secret holds it;
     * no password), or a PKCS12 or JKS store opened with {@code password}.
     *
     * @throws IllegalArgumentException naming the file if it cannot be read, holds no certificate or cannot be
     *                                  opened with {@code password}
     */
    public static KeyStore trustStore(Path file, String password) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readAllBytes();
            if (new String(bytes, 0, Math.min(bytes.length, 64), StandardCharsets.US_ASCII).strip()
                    .startsWith("-----BEGIN")) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                int n = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(bytes))) {
                    ks.setCertificateEntry("ca-" + n++, c);
                }
                if (n == 0) {
                    throw new IllegalArgumentException("cannot read the S3 trust store " + file + ": no certificate in it");
                }
                return ks;
            }
            KeyStore ks = KeyStore.getInstance(
                    file.toString().endsWith(".jks") ? "JKS" : "PKCS12");
            ks.load(new ByteArrayInputStream(bytes), password == null ? null : password.toCharArray());
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the S3 trust store " + file + ": " + e.getMessage(), e);
        }
    }

    private void ensureBucket(String accessKey) {
        boolean exists;
        try {
            exists = call("check bucket", null, () -> client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()));
        } catch (StorageException e) {
            if (e.reason() == StorageException.Reason.ACCESS_DENIED) {
                throw new StorageException(e.reason(), null, "S3 at " + endpoint + " denied access key '" + accessKey
                        + "' checking bucket '" + bucket + "' (" + causeSummary(e.getCause())
                        + "): wrong access key or secret key, or no permission on the bucket", e.getCause());
            }
            throw e;
        }
        if (!exists) {
            try {
                call("create bucket", null, () -> {
                    client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                    return null;
                });
                LOG.info("created bucket {} at {}", bucket, endpoint);
            } catch (StorageException e) {
                // Another service created it between our check and our request: fine.
                if (!(e.getCause() instanceof ErrorResponseException r && r.errorResponse() != null
                        && r.errorResponse().code() != null && r.errorResponse().code().startsWith("BucketAlready"))) {
                    throw e;
                }
            }
        }
    }

    /** Bytes of object payloads read since this store was connected (for the services' metrics). */
    public long bytesRead() {
        return bytesRead.sum();
    }

    /** Bytes of object payloads written since this store was connected (puts skipped as unchanged write none). */
    public long bytesWritten() {
        return bytesWritten.sum();
    }

    /** The bucket this store reads and writes. */
    public String bucket() {
        return bucket;
    }

    /** {@code s3://bucket/key}. */
    public String uri(String key) {
        return "s3://" + bucket + "/" + key;
    }

    /**
     * Stores {@code bytes} under {@code key}, replacing any object there, with their SHA-256 and size as metadata.
     *
     * @param contentType a MIME type; null means {@code application/octet-stream}
     */
    public StoredObject put(String key, byte[] bytes, String contentType) {
        return put(key, bytes, Sha256.hex(bytes), contentType);
    }

    /** {@link #put(String, byte[], String)} with the bytes' SHA-256 already known (hashed once per write). */
    public StoredObject put(String key, byte[] bytes, String sha, String contentType) {
        checkKey(key);
        String type = contentType == null ? OCTET_STREAM : contentType;
        Map<String, String> meta = Map.of(SHA256_METADATA, sha, SIZE_METADATA, Long.toString(bytes.length));
        allow(Action.WRITE, key);
        call("put", key, () -> {
            send(key, bytes, crc32c(bytes), type, meta);
            return null;
        });
        bytesWritten.add(bytes.length);
        return new StoredObject(key, bytes.length, sha);
    }

    /**
     * One PUT of the bytes as they are, checked by the server against {@code crc32c} (theirs; a test sends another);
     * an error response is thrown as the MinIO client would throw it.
     */
    void send(String key, byte[] bytes, String crc32c, String type, Map<String, String> meta) throws Exception {
        HttpUrl url = base.newBuilder().addEncodedPathSegment(S3Escaper.encode(bucket))
                .addEncodedPathSegments(S3Escaper.encodePath(key)).build();
        Request.Builder request = new Request.Builder().url(url)
                .header("Host", HttpUtils.getHostHeader(url))
                .header("x-amz-date", ZonedDateTime.now().format(Time.AMZ_DATE_FORMAT))
                .header("x-amz-content-sha256", UNSIGNED_PAYLOAD)
                .header("x-amz-checksum-crc32c", crc32c)
                .header("Content-Type", type);
        meta.forEach((name, value) -> request.header("x-amz-meta-" + name, value));
        request.put(RequestBody.create(bytes, MediaType.parse(type)));
        try (Response response = http.newCall(Signer.signV4S3(request.build(), REGION, accessKey, secretKey,
                UNSIGNED_PAYLOAD)).execute()) {
            if (!response.isSuccessful()) {
                String body = response.body().string();
                ErrorResponse error;
                try {
                    error = Xml.unmarshal(ErrorResponse.class, new StringReader(body));
                } catch (XmlParserException e) {
                    error = new ErrorResponse(null, body.isBlank() ? response.message() : body, bucket, key, null,
                            null, null);
                }
                throw new ErrorResponseException(error, response, null);
            }
        }
    }

    /** The bytes' CRC32C as S3 headers carry it: the 4 bytes big-endian, in base64. */
    static String crc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /**
     * Stores {@code bytes} under {@code key} unless the object there already has their SHA-256 and size (by its
     * metadata), in which case nothing is written; an object there without checksum metadata is replaced. For
     * content-addressed keys this makes a repeated put (a redelivered message, a retried task) free and harmless.
     */
    public StoredObject putIfChanged(String key, byte[] bytes, String contentType) {
        return putIfChanged(key, bytes, Sha256.hex(bytes), contentType);
    }

    /** {@link #putIfChanged(String, byte[], String)} with the bytes' SHA-256 already known. */
    public StoredObject putIfChanged(String key, byte[] bytes, String sha, String contentType) {
        checkKey(key);
        StoredObject existing;
        try {
            existing = statOrNull(key);
        } catch (StorageException e) {
            if (e.reason() != StorageException.Reason.NO_CHECKSUM) {
                throw e;
            }
            existing = null; // unverifiable: replace it with a checksummed object
        }
        if (existing != null && existing.size() == bytes.length && existing.sha256().equals(sha)) {
            return existing;
        }
        return put(key, bytes, sha, contentType);
    }

    /**
     * Reads the object and checks its size and SHA-256 against the metadata it was stored with.
     *
     * @throws StorageException {@link StorageException.Reason#MISSING} if there is no object,
     *                          {@link StorageException.Reason#WRONG_SIZE} / {@link StorageException.Reason#CORRUPT}
     *                          if the bytes do not match, {@link StorageException.Reason#NO_CHECKSUM} if the object
     *                          has no checksum metadata
     */
    public byte[] get(String key) {
        return read(key, -1, null);
    }

    /**
     * Reads the object and checks it against the size and SHA-256 the caller expects (a {@link ObjectRef}'s), whatever
     * its metadata says.
     *
     * @throws StorageException as {@link #get(String)}, naming the expected and the actual values
     */
    public byte[] get(String key, long expectedSize, String expectedSha256) {
        Sha256.requireHex(expectedSha256, "expected checksum of " + uri(key));
        if (expectedSize < 0) {
            throw new IllegalArgumentException("expected size of " + uri(key) + " is negative: " + expectedSize);
        }
        return read(key, expectedSize, expectedSha256);
    }

    private byte[] read(String key, long expectedSize, String expectedSha) {
        checkKey(key);
        allow(Action.READ, key);
        record Read(byte[] bytes, String sha, String size) {
        }
        long claimedSize = expectedSize;
        Read r = call("get", key, () -> {
            try (GetObjectResponse in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                byte[] bytes = readBody(in, claimedSize >= 0 ? claimedSize : contentLength(in));
                return new Read(bytes, in.headers().get("x-amz-meta-" + SHA256_METADATA),
                        in.headers().get("x-amz-meta-" + SIZE_METADATA));
            }
        });
        bytesRead.add(r.bytes().length);
        String source;
        if (expectedSha == null) {
            source = "its metadata";
            if (r.sha() == null || !Sha256.isHex(r.sha())) {
                throw new StorageException(StorageException.Reason.NO_CHECKSUM, key, uri(key)
                        + ": no valid sha256 metadata (got " + r.sha() + "), so its bytes cannot be verified;"
                        + " objects must be written through ObjectStore");
            }
            expectedSha = r.sha();
            try {
                expectedSize = r.size() == null ? r.bytes().length : Long.parseLong(r.size());
            } catch (NumberFormatException e) {
                throw new StorageException(StorageException.Reason.NO_CHECKSUM, key, uri(key)
                        + ": malformed size metadata '" + r.size() + "'");
            }
        } else {
            source = "the claim";
        }
        if (r.bytes().length != expectedSize) {
            throw new StorageException(StorageException.Reason.WRONG_SIZE, key, uri(key) + ": wrong size: read "
                    + r.bytes().length + " bytes, " + source + " says " + expectedSize + " (truncated or replaced object)");
        }
        String actual = Sha256.hex(r.bytes());
        if (!actual.equals(expectedSha)) {
            throw new StorageException(StorageException.Reason.CORRUPT, key, uri(key)
                    + ": corrupt: checksum mismatch, the bytes read have sha256 " + actual + ", " + source
                    + " says " + expectedSha);
        }
        return r.bytes();
    }

    /**
     * The whole response body, read straight into an array of the size announced (the claim's, or the response's
     * {@code Content-Length}) when there is one: no growing buffers, no final copy. A body of another length is
     * returned as it is, for the caller's size check to name.
     */
    static byte[] readBody(InputStream in, long size) throws IOException {
        if (size < 0 || size > Integer.MAX_VALUE - 8) {
            return in.readAllBytes();
        }
        byte[] bytes = new byte[(int) size];
        int n = in.readNBytes(bytes, 0, bytes.length);
        if (n < bytes.length) {
            return Arrays.copyOf(bytes, n);
        }
        byte[] more = in.readAllBytes();
        if (more.length == 0) {
            return bytes;
        }
        byte[] all = Arrays.copyOf(bytes, bytes.length + more.length);
        System.arraycopy(more, 0, all, bytes.length, more.length);
        return all;
    }

    private static long contentLength(GetObjectResponse in) {
        String length = in.headers().get("Content-Length");
        try {
            return length == null ? -1 : Long.parseLong(length);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The object's key, size and stored SHA-256, without reading it.
     *
     * @throws StorageException {@link StorageException.Reason#MISSING} if there is no object,
     *                          {@link StorageException.Reason#NO_CHECKSUM} if it has no checksum metadata
     */
    public StoredObject stat(String key) {
        StoredObject s = statOrNull(key);
        if (s == null) {
            throw new StorageException(StorageException.Reason.MISSING, key, uri(key) + ": no such object");
        }
        return s;
    }

    private StoredObject statOrNull(String key) {
        checkKey(key);
        allow(Action.READ, key);
        StatObjectResponse st;
        try {
            st = call("stat", key, () -> client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build()));
        } catch (StorageException e) {
            if (e.reason() == StorageException.Reason.MISSING) {
                return null;
            }
            throw e;
        }
        String sha = st.userMetadata().get(SHA256_METADATA);
        if (!Sha256.isHex(sha)) {
            throw new StorageException(StorageException.Reason.NO_CHECKSUM, key, uri(key)
                    + ": no valid sha256 metadata (got " + sha + "); objects must be written through ObjectStore");
        }
        return new StoredObject(key, st.size(), sha);
    }

    /** Whether an object exists under {@code key}. */
    public boolean exists(String key) {
        checkKey(key);
        allow(Action.READ, key);
        try {
            call("stat", key, () -> client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build()));
            return true;
        } catch (StorageException e) {
            if (e.reason() == StorageException.Reason.MISSING) {
                return false;
            }
            throw e;
        }
    }

    /** The keys of every object whose key starts with {@code prefix} ("" for all), at any depth, sorted. */
    public List<String> list(String prefix) {
        String p = prefix == null ? "" : prefix;
        allow(Action.LIST, p);
        return call("list prefix '" + p + "'", null, () -> {
            List<String> keys = new ArrayList<>();
            for (Result<Item> result : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(p)
                    .recursive(true).build())) {
                Item item = result.get();
                if (!item.isDir()) {
                    keys.add(item.objectName());
                }
            }
            Collections.sort(keys);
            return keys;
        });
    }

    /** Deletes the object under {@code key}; deleting a missing object is not an error. */
    public void delete(String key) {
        checkKey(key);
        allow(Action.DELETE, key);
        call("delete", key, () -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
            return null;
        });
    }

    /** Stops the HTTP client's threads and connections. */
    @Override
    public void close() {
        try {
            client.close();
        } catch (Exception e) {
            LOG.warn("closing the S3 client for {}: {}", endpoint, e.toString());
        }
        http.dispatcher().executorService().shutdown(); // the MinIO client leaves an HTTP client it was given alone
        http.connectionPool().evictAll();
    }

    private void checkKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("object key must not be empty (bucket " + bucket + ")");
        }
        if (key.startsWith("/") || key.getBytes(StandardCharsets.UTF_8).length > 1024) {
            throw new IllegalArgumentException("invalid object key '" + key + "' in bucket " + bucket
                    + ": must not start with '/' and must be at most 1024 bytes");
        }
    }

    @FunctionalInterface
    private interface S3Call<T> {
        T run() throws Exception;
    }

    /** Runs one request with retries; every failure comes out as a StorageException naming the object. */
    private <T> T call(String operation, String key, S3Call<T> request) {
        String what = key == null ? operation + " on bucket " + bucket + " at " + endpoint
                : operation + " " + uri(key) + " at " + endpoint;
        for (int attempt = 1; ; attempt++) {
            try {
                return request.run();
            } catch (Exception e) {
                if (!isTransient(e)) {
                    throw classify(what, key, e);
                }
                if (attempt >= retry.attempts()) {
                    throw new StorageException(StorageException.Reason.UNAVAILABLE, key, what + " failed after "
                            + attempt + (attempt == 1 ? " attempt: " : " attempts: ") + causeSummary(e), e);
                }
                long waitMs = retry.backoff(attempt).toMillis();
                LOG.warn("{} failed (attempt {} of {}), retrying in {} ms: {}", what, attempt, retry.attempts(),
                        waitMs, causeSummary(e));
                try {
                    Thread.sleep(waitMs);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    StorageException se = new StorageException(StorageException.Reason.UNAVAILABLE, key, what
                            + " interrupted while waiting to retry after: " + causeSummary(e), e);
                    se.addSuppressed(ie);
                    throw se;
                }
            }
        }
    }

    private static boolean isTransient(Exception e) {
        if (e instanceof ServerException) {
            return true;
        }
        if (e instanceof ErrorResponseException r) {
            return r.response() != null && r.response().code() >= 500;
        }
        // Connection refused/reset, timeouts, a response cut short.
        return e instanceof IOException || e instanceof InsufficientDataException;
    }

    private StorageException classify(String what, String key, Exception e) {
        if (e instanceof StorageException se) {
            return se;
        }
        if (e instanceof ErrorResponseException r) {
            int status = r.response() == null ? 0 : r.response().code();
            String code = r.errorResponse() == null ? null : r.errorResponse().code();
            if ("NoSuchKey".equals(code) || (key != null && status == 404 && !"NoSuchBucket".equals(code))) {
                return new StorageException(StorageException.Reason.MISSING, key, uri(key) + ": no such object", e);
            }
            if ("NoSuchBucket".equals(code)) {
                return new StorageException(StorageException.Reason.MISSING, key, what + ": no bucket " + bucket, e);
            }
            if (status == 401 || status == 403) {
                return new StorageException(StorageException.Reason.ACCESS_DENIED, key, what + ": access denied ("
                        + causeSummary(e) + ")", e);
            }
        }
        return new StorageException(StorageException.Reason.FAILED, key, what + " failed: " + causeSummary(e), e);
    }

    private static String causeSummary(Throwable e) {
        if (e instanceof ErrorResponseException r) {
            int status = r.response() == null ? 0 : r.response().code();
            String code = r.errorResponse() == null ? null : r.errorResponse().code();
            String msg = r.errorResponse() == null ? null : r.errorResponse().message();
            return "HTTP " + status + (code == null ? "" : " " + code) + (msg == null ? "" : ": " + msg);
        }
        if (e instanceof ServerException s) {
            return "HTTP " + s.statusCode() + ": " + s.getMessage();
        }
        return e == null ? "unknown error" : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** The claim check (object reference) a message carries for an object stored in {@code bucket}. */
    public static ObjectRef ref(String bucket, StoredObject object) {
        return new ObjectRef(bucket, object.key(), object.size(), object.sha256());
    }
}

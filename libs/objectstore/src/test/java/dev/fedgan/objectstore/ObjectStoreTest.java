package dev.fedgan.objectstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.devstack.EmbeddedS3;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link ObjectStore} against a real S3 server (S3Proxy on a directory) over sockets. */
class ObjectStoreTest {

    private static EmbeddedS3 s3;
    private static ObjectStore store;

    @BeforeAll
    static void start() {
        long t0 = System.nanoTime();
        s3 = EmbeddedS3.builder().start();
        store = ObjectStore.connect(s3.endpoint(), s3.accessKey(), s3.secretKey(), "objects");
        System.out.println("S3 started and bucket created in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }

    @AfterAll
    static void stop() {
        if (store != null) {
            store.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    private static MinioClient raw() {
        return MinioClient.builder().endpoint(s3.endpoint()).credentials(s3.accessKey(), s3.secretKey())
                .region(ObjectStore.REGION).build();
    }

    @Test
    void putGetStatExistsListDelete() {
        byte[] hello = "hello, bucket".getBytes(StandardCharsets.UTF_8);
        StoredObject put = store.put("basic/a/hello.txt", hello, "text/plain");
        store.put("basic/a/b/two.bin", new byte[] {1, 2}, null);
        store.put("basic-other/x", new byte[0], null);

        assertEquals(new StoredObject("basic/a/hello.txt", hello.length, Sha256.hex(hello)), put);
        assertArrayEquals(hello, store.get("basic/a/hello.txt"));
        assertArrayEquals(new byte[0], store.get("basic-other/x"));
        assertEquals(put, store.stat("basic/a/hello.txt"));
        assertTrue(store.exists("basic/a/hello.txt"));
        assertFalse(store.exists("basic/a/nothing"));
        assertEquals(List.of("basic/a/b/two.bin", "basic/a/hello.txt"), store.list("basic/"));
        assertEquals(List.of("basic-other/x", "basic/a/b/two.bin", "basic/a/hello.txt"), store.list("basic"));

        store.delete("basic/a/hello.txt");
        assertFalse(store.exists("basic/a/hello.txt"));
        store.delete("basic/a/hello.txt"); // deleting twice is fine
        assertEquals(List.of("basic/a/b/two.bin"), store.list("basic/"));
    }

    @Test
    void aPutCarriesTypeAndChecksumUnderAnyKeyAndAnErrorNamesTheObject() throws Exception {
        byte[] csv = "round,epsilon\n1,0.5\n".getBytes(StandardCharsets.UTF_8);
        String key = "odd keys/a+b=c&d/ünïcode ~(1).csv";
        StoredObject put = store.put(key, csv, "text/csv; charset=utf-8");
        assertArrayEquals(csv, store.get(key));
        io.minio.StatObjectResponse st = stat(key);
        assertEquals("text/csv; charset=utf-8", st.contentType());
        assertEquals(put.sha256(), st.userMetadata().get(ObjectStore.SHA256_METADATA));
        assertEquals(Integer.toString(csv.length), st.userMetadata().get(ObjectStore.SIZE_METADATA));

        try (ObjectStore gone = ObjectStore.connect(s3.endpoint(), s3.accessKey(), s3.secretKey(), "gone");
             MinioClient minio = raw()) {
            minio.removeBucket(io.minio.RemoveBucketArgs.builder().bucket("gone").build());
            StorageException e = assertThrows(StorageException.class, () -> gone.put("x/y", csv, null));
            assertEquals(StorageException.Reason.MISSING, e.reason());
            assertTrue(e.getMessage().contains("no bucket gone"), e.getMessage());
        }
    }

    /**
     * A PUT names no payload hash in its signature; the server checks the bytes against the CRC32C header instead
     * and refuses a damaged upload (here: the checksum of other bytes), storing nothing.
     */
    @Test
    void theServerRefusesAnUploadThatDoesNotMatchItsCrc32c() {
        assertEquals("4waSgw==", ObjectStore.crc32c("123456789".getBytes(StandardCharsets.US_ASCII)),
                "CRC32C check value 0xE3069283, big-endian, base64");
        byte[] sent = "the bytes that left".getBytes(StandardCharsets.UTF_8);
        byte[] damaged = "the bytes that came".getBytes(StandardCharsets.UTF_8);
        io.minio.errors.ErrorResponseException e = assertThrows(io.minio.errors.ErrorResponseException.class,
                () -> store.send("crc/damaged.bin", damaged, ObjectStore.crc32c(sent), "application/octet-stream",
                        Map.of(ObjectStore.SHA256_METADATA, Sha256.hex(sent))));
        assertEquals(400, e.response().code(), e.toString());
        System.out.println("damaged upload: HTTP " + e.response().code() + " " + e.errorResponse().code() + ": "
                + e.errorResponse().message());
        assertFalse(store.exists("crc/damaged.bin"), "nothing stored");
    }

    @Test
    void putIfChangedWritesOnlyNewBytes() throws Exception {
        byte[] v1 = "version 1".getBytes(StandardCharsets.UTF_8);
        store.putIfChanged("ifchanged/x", v1, null);
        var before = stat("ifchanged/x").lastModified();
        Thread.sleep(1100); // S3Proxy's modification times have one-second resolution
        store.putIfChanged("ifchanged/x", v1.clone(), null);
        assertEquals(before, stat("ifchanged/x").lastModified(), "identical bytes are not rewritten");
        byte[] v2 = "version 2".getBytes(StandardCharsets.UTF_8);
        store.putIfChanged("ifchanged/x", v2, null);
        assertArrayEquals(v2, store.get("ifchanged/x"));
    }

    private static io.minio.StatObjectResponse stat(String key) throws Exception {
        try (MinioClient minio = raw()) {
            return minio.statObject(io.minio.StatObjectArgs.builder().bucket(store.bucket()).object(key).build());
        }
    }

    @Test
    void bitRotOnDiskIsReportedAsCorrupt() throws Exception {
        byte[] data = new byte[4096];
        new java.util.Random(1).nextBytes(data);
        store.put("rot/blob.bin", data, null);
        // Flip one byte of the file S3Proxy keeps (bucket = directory, object = file); the metadata stays.
        Path file = s3.dir().resolve(store.bucket()).resolve("rot/blob.bin");
        byte[] onDisk = Files.readAllBytes(file);
        onDisk[1234] ^= 0x10;
        Files.write(file, onDisk);

        StorageException e = assertThrows(StorageException.class, () -> store.get("rot/blob.bin"));
        System.out.println("bit rot: " + e.getMessage());
        assertEquals(StorageException.Reason.CORRUPT, e.reason());
        assertEquals("rot/blob.bin", e.key());
        assertTrue(e.getMessage().contains("checksum") && e.getMessage().contains("corrupt")
                && e.getMessage().contains("s3://objects/rot/blob.bin"), e.getMessage());
    }

    @Test
    void replacedPayloadUnderOldMetadataIsCaught() throws Exception {
        byte[] data = "the real payload".getBytes(StandardCharsets.UTF_8);
        StoredObject put = store.put("replaced/x", data, null);
        Map<String, String> oldMeta = Map.of(ObjectStore.SHA256_METADATA, put.sha256(),
                ObjectStore.SIZE_METADATA, Long.toString(put.size()));
        byte[] sameLength = "the fake payload".getBytes(StandardCharsets.UTF_8);
        byte[] shorter = "fake".getBytes(StandardCharsets.UTF_8);
        try (MinioClient minio = raw()) {
            rawPut(minio, "replaced/x", sameLength, oldMeta);
            StorageException corrupt = assertThrows(StorageException.class, () -> store.get("replaced/x"));
            assertEquals(StorageException.Reason.CORRUPT, corrupt.reason());
            assertTrue(corrupt.getMessage().contains("checksum"), corrupt.getMessage());

            rawPut(minio, "replaced/x", shorter, oldMeta);
            StorageException size = assertThrows(StorageException.class, () -> store.get("replaced/x"));
            System.out.println("truncated: " + size.getMessage());
            assertEquals(StorageException.Reason.WRONG_SIZE, size.reason());
            assertTrue(size.getMessage().contains("replaced/x") && size.getMessage().contains("size"), size.getMessage());

            // Checked against a claim's values, the metadata does not matter.
            StorageException claim = assertThrows(StorageException.class,
                    () -> store.get("replaced/x", shorter.length, put.sha256()));
            assertEquals(StorageException.Reason.CORRUPT, claim.reason());
            assertTrue(claim.getMessage().contains("the claim"), claim.getMessage());
            // A claim of another size: the body is read whole all the same (it is read into an array of the
            // claimed size), and the message says how much there was.
            for (long claimed : new long[] {shorter.length - 1, shorter.length + 100}) {
                StorageException wrong = assertThrows(StorageException.class,
                        () -> store.get("replaced/x", claimed, put.sha256()));
                assertEquals(StorageException.Reason.WRONG_SIZE, wrong.reason());
                assertTrue(wrong.getMessage().contains("read " + shorter.length + " bytes, the claim says " + claimed),
                        wrong.getMessage());
            }

            rawPut(minio, "replaced/none", data, Map.of());
            StorageException none = assertThrows(StorageException.class, () -> store.get("replaced/none"));
            assertEquals(StorageException.Reason.NO_CHECKSUM, none.reason());
            assertThrows(StorageException.class, () -> store.stat("replaced/none"));
            // putIfChanged replaces an unverifiable object with a checksummed one.
            store.putIfChanged("replaced/none", data, null);
            assertArrayEquals(data, store.get("replaced/none"));
        }
    }

    private static void rawPut(MinioClient minio, String key, byte[] bytes, Map<String, String> meta) throws Exception {
        minio.putObject(PutObjectArgs.builder().bucket(store.bucket()).object(key)
                .stream(new ByteArrayInputStream(bytes), bytes.length, -1).userMetadata(meta).build());
    }

    @Test
    void missingObjectNamesTheKey() {
        for (var op : List.<Runnable>of(() -> store.get("missing/nothing-here"), () -> store.stat("missing/nothing-here"),
                () -> store.get("missing/nothing-here", 3, "0".repeat(64)))) {
            StorageException e = assertThrows(StorageException.class, op::run);
            assertEquals(StorageException.Reason.MISSING, e.reason());
            assertEquals("missing/nothing-here", e.key());
            assertTrue(e.getMessage().contains("s3://objects/missing/nothing-here"), e.getMessage());
        }
        assertEquals(List.of(), store.list("missing/"));
    }

    @Test
    void wrongCredentialsFailAtConnectWithoutRetrying() {
        long t0 = System.nanoTime();
        StorageException e = assertThrows(StorageException.class, () -> ObjectStore.connect(s3.endpoint(),
                s3.accessKey(), "not-the-secret", "objects",
                new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(1))));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("wrong secret (" + ms + " ms): " + e.getMessage());
        assertEquals(StorageException.Reason.ACCESS_DENIED, e.reason());
        assertTrue(e.getMessage().contains(s3.endpoint()) && e.getMessage().contains("'" + s3.accessKey() + "'")
                && e.getMessage().contains("403") && e.getMessage().contains("secret key"), e.getMessage());
        assertTrue(ms < 900, "a 403 is not retried (took " + ms + " ms with 1 s backoff)");
    }

    @Test
    void deadEndpointFailsAfterTheRetries() throws Exception {
        int port = freePort();
        long t0 = System.nanoTime();
        StorageException e = assertThrows(StorageException.class, () -> ObjectStore.connect("http://127.0.0.1:" + port,
                "a", "b", "objects", new RetryPolicy(3, Duration.ofMillis(50), Duration.ofSeconds(1))));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("dead endpoint (" + ms + " ms): " + e.getMessage());
        assertEquals(StorageException.Reason.UNAVAILABLE, e.reason());
        assertTrue(e.getMessage().contains("after 3 attempts") && e.getMessage().contains("127.0.0.1:" + port),
                e.getMessage());
        assertTrue(ms >= 150, "waited 50 + 100 ms between attempts, took " + ms);
    }

    @Test
    void serverThatComesUpLateIsReachedByRetrying() throws Exception {
        int port = freePort();
        CompletableFuture<EmbeddedS3> late = CompletableFuture.supplyAsync(() -> {
            try {
                Thread.sleep(400);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return EmbeddedS3.builder().port(port).start();
        });
        long t0 = System.nanoTime();
        try (ObjectStore s = ObjectStore.connect("http://127.0.0.1:" + port, EmbeddedS3.DEFAULT_ACCESS_KEY,
                EmbeddedS3.DEFAULT_SECRET_KEY, "late", new RetryPolicy(8, Duration.ofMillis(100), Duration.ofSeconds(1)))) {
            System.out.println("reached a server that started 0.4 s late in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            s.put("k", new byte[] {42}, null);
            assertArrayEquals(new byte[] {42}, s.get("k"));
        } finally {
            late.get(30, TimeUnit.SECONDS).close();
        }
    }

    @Test
    void aStoreRestartedMidWorkIsWaitedForWithinThePatience(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        int port = freePort();
        EmbeddedS3 first = EmbeddedS3.builder().port(port).dir(dir).start();
        try (ObjectStore s = ObjectStore.connect("http://127.0.0.1:" + port, EmbeddedS3.DEFAULT_ACCESS_KEY,
                EmbeddedS3.DEFAULT_SECRET_KEY, "outage", RetryPolicy.within(Duration.ofSeconds(20)))) {
            s.put("before", new byte[] {1}, null);
            first.close(); // down for 2 s, then up again on its data
            CompletableFuture<EmbeddedS3> again = CompletableFuture.supplyAsync(() -> {
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return EmbeddedS3.builder().port(port).dir(dir).start();
            });
            try {
                long t0 = System.nanoTime();
                s.put("during", new byte[] {2}, null);
                assertTrue(System.nanoTime() - t0 > 1_000_000_000L, "the put waited for the store");
                assertArrayEquals(new byte[] {1}, s.get("before"));
                assertArrayEquals(new byte[] {2}, s.get("during"));
            } finally {
                again.get(30, TimeUnit.SECONDS).close();
            }
        }
    }

    /** Over HTTPS: a client that trusts the store's certificate works; one that does not, or speaks HTTP, gets nothing. */
    @Test
    void anHttpsStoreServesOnlyClientsThatTrustItsCertificate(@org.junit.jupiter.api.io.TempDir Path dir) {
        dev.fedgan.devstack.Tls tls = dev.fedgan.devstack.Tls.in(dir.resolve("tls"));
        try (EmbeddedS3 secure = EmbeddedS3.builder().tls(tls).start()) {
            assertTrue(secure.endpoint().startsWith("https://"), secure.endpoint());
            try (ObjectStore s = ObjectStore.connect(secure.endpoint(), EmbeddedS3.DEFAULT_ACCESS_KEY,
                    EmbeddedS3.DEFAULT_SECRET_KEY, "tls", RetryPolicy.DEFAULT,
                    ObjectStore.trustStore(tls.trustStore(), tls.password()))) {
                s.put("k", new byte[] {7}, null);
                assertArrayEquals(new byte[] {7}, s.get("k"));
            }
            // The CA certificate as PEM, as a Kubernetes Secret's ca.crt holds it: no password.
            try (ObjectStore s = ObjectStore.connect(secure.endpoint(), EmbeddedS3.DEFAULT_ACCESS_KEY,
                    EmbeddedS3.DEFAULT_SECRET_KEY, "tls", RetryPolicy.DEFAULT,
                    ObjectStore.trustStore(dir.resolve("tls/devstack.crt"), null))) {
                assertArrayEquals(new byte[] {7}, s.get("k"));
            }
            RetryPolicy once = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
            StorageException untrusted = assertThrows(StorageException.class, () -> ObjectStore.connect(
                    secure.endpoint(), EmbeddedS3.DEFAULT_ACCESS_KEY, EmbeddedS3.DEFAULT_SECRET_KEY, "tls", once));
            assertTrue(untrusted.getMessage().contains("PKIX") || untrusted.getMessage().contains("certificate"),
                    untrusted.getMessage());
            assertThrows(StorageException.class, () -> ObjectStore.connect(secure.endpoint().replace("https", "http"),
                    EmbeddedS3.DEFAULT_ACCESS_KEY, EmbeddedS3.DEFAULT_SECRET_KEY, "tls", once));
        }
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> ObjectStore.trustStore(tls.trustStore(), "not-the-password"));
        assertTrue(wrong.getMessage().startsWith("cannot read the S3 trust store " + tls.trustStore()), wrong.getMessage());
    }

    /**
     * A store restricted to a policy refuses what it does not allow before sending anything, as the server would
     * (ACCESS_DENIED naming the identity, the action and the object), and does what it allows.
     */
    @Test
    void aRestrictedStoreRefusesWhatItsPolicyDoesNotAllow() {
        ObjectStore root = store;
        try (ObjectStore writer = ObjectStore.connect(s3.endpoint(), s3.accessKey(), s3.secretKey(), "objects",
                RetryPolicy.DEFAULT, null, false).restrictTo("client-update",
                (action, key) -> key.startsWith("deltas/") && action == ObjectStore.Action.WRITE)) {
            writer.put("deltas/d1", new byte[] {1}, null);
            assertArrayEquals(new byte[] {1}, root.get("deltas/d1"));
            StorageException read = assertThrows(StorageException.class, () -> writer.get("deltas/d1"));
            assertEquals(StorageException.Reason.ACCESS_DENIED, read.reason());
            assertEquals("client-update may not read " + root.uri("deltas/d1")
                    + " (its object-store policy, docs/security.md)", read.getMessage());
            assertEquals(StorageException.Reason.ACCESS_DENIED,
                    assertThrows(StorageException.class, () -> writer.put("weights/w", new byte[] {2}, null)).reason());
            assertFalse(root.exists("weights/w"), "a refused request sends nothing");
            assertThrows(StorageException.class, () -> writer.exists("deltas/d1"));
            assertThrows(StorageException.class, () -> writer.delete("deltas/d1"));
            StorageException list = assertThrows(StorageException.class, () -> writer.list("deltas/"));
            assertTrue(list.getMessage().startsWith("client-update may not list under prefix 'deltas/'"), list.getMessage());
            assertTrue(root.exists("deltas/d1"));
        }
    }

    @Test
    void aPatiencePolicyWaitsAtLeastThatLongInAll() {
        RetryPolicy fiveMinutes = RetryPolicy.within(Duration.ofMinutes(5));
        assertTrue(fiveMinutes.patience().compareTo(Duration.ofMinutes(5)) >= 0, fiveMinutes.toString());
        assertTrue(fiveMinutes.patience().compareTo(Duration.ofMinutes(5).plusSeconds(5)) < 0, fiveMinutes.toString());
        assertEquals(Duration.ofSeconds(5), fiveMinutes.backoff(fiveMinutes.attempts() - 1));
        assertEquals(1, RetryPolicy.within(Duration.ZERO).attempts());
        assertEquals(Duration.ofMillis(1400), RetryPolicy.DEFAULT.patience());
        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.within(Duration.ofSeconds(-1)));
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> store.put("/abs", new byte[1], null));
        assertThrows(IllegalArgumentException.class, () -> store.get(""));
        assertThrows(IllegalArgumentException.class, () -> ObjectStore.connect(s3.endpoint(), "a", "b", "Bad_Bucket"));
        assertThrows(IllegalArgumentException.class, () -> store.get("x", 1, "not-hex"));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO));
        RetryPolicy p = new RetryPolicy(6, Duration.ofMillis(100), Duration.ofMillis(500));
        assertEquals(List.of(100L, 200L, 400L, 500L, 500L),
                List.of(p.backoff(1).toMillis(), p.backoff(2).toMillis(), p.backoff(3).toMillis(),
                        p.backoff(4).toMillis(), p.backoff(5).toMillis()));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}

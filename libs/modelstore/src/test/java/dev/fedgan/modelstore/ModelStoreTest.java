package dev.fedgan.modelstore;

import dev.fedgan.objectstore.StorageException;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.objectstore.Sha256;
import dev.fedgan.protocol.ObjectRef;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fedgan.core.classifier.ClassifierTraining;
import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.gan.FederatedGanTraining;
import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.progress.Progress;
import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.NetworkWeights;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.devstack.EmbeddedS3;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ModelStore}'s claim checks against a real S3 server (S3Proxy on a directory) over sockets. */
class ModelStoreTest {

    private static EmbeddedS3 s3;
    private static ObjectStore objects;
    private static ModelStore models;

    @BeforeAll
    static void start() {
        s3 = EmbeddedS3.builder().start();
        objects = ObjectStore.connect(s3.endpoint(), s3.accessKey(), s3.secretKey(), "fedgan");
        models = new ModelStore(objects);
    }

    @AfterAll
    static void stop() {
        if (objects != null) {
            objects.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    private static StatObjectResponse rawStat(String key) throws Exception {
        try (MinioClient minio = MinioClient.builder().endpoint(s3.endpoint())
                .credentials(s3.accessKey(), s3.secretKey()).region(ObjectStore.REGION).build()) {
            return minio.statObject(StatObjectArgs.builder().bucket(objects.bucket()).object(key).build());
        }
    }

    /** The stored content type, spaces dropped (the HTTP client may or may not normalise "a; b" to "a;b"). */
    private static String contentType(String key) throws Exception {
        return rawStat(key).contentType().replace(" ", "");
    }

    @Test
    void weightsRoundTrip() throws Exception {
        NetworkWeights critic = GanNetworks.initialCritic(GanPreset.TINY, 11);
        NetworkWeights generator = GanNetworks.initialGenerator(GanPreset.TINY, 12);
        long t0 = System.nanoTime();
        ObjectRef c = models.putWeights("e-roundtrip", "critic", 12, critic);
        ObjectRef g = models.putWeights("e-roundtrip", "generator", 12, generator);
        NetworkWeights back = models.getWeights(c, GanNetworks.initialCritic(GanPreset.TINY, 99));
        NetworkWeights gBack = models.getWeights(g, GanNetworks.initialGenerator(GanPreset.TINY, 99));
        System.out.println("TINY critic " + critic.length() + " weights, " + c.size() + " bytes; generator "
                + generator.length() + " weights, " + g.size() + " bytes; put + get both in "
                + (System.nanoTime() - t0) / 1_000_000 + " ms; " + c);

        assertArrayEquals(critic.flatten(), back.flatten());
        assertEquals(critic.names(), back.names());
        assertEquals(critic.trainable(), back.trainable());
        assertArrayEquals(generator.flatten(), gBack.flatten());
        assertEquals("fedgan", c.bucket());
        assertTrue(c.key().matches("experiments/e-roundtrip/critic/round-00012-[0-9a-f]{16}\\.zip"), c.key());
        assertEquals(c.sha256().substring(0, 16), c.key().substring(c.key().length() - 20, c.key().length() - 4));
        assertEquals(ModelStore.WEIGHTS_CONTENT_TYPE, rawStat(c.key()).contentType());

        // Another layout's weights are refused, naming the object.
        StorageException wrong = assertThrows(StorageException.class,
                () -> models.getWeights(c, GanNetworks.initialGenerator(GanPreset.TINY, 1)));
        assertEquals(StorageException.Reason.INVALID, wrong.reason());
        assertTrue(wrong.getMessage().contains(c.key()) && wrong.getMessage().contains("missing tensor"),
                wrong.getMessage());
    }

    @Test
    void identicalWeightsGiveOneObjectWrittenOnce() throws Exception {
        NetworkWeights w = GanNetworks.initialCritic(GanPreset.TINY, 5);
        ObjectRef first = models.putWeights("e-idem", "critic", 3, w);
        StatObjectResponse before = rawStat(first.key());

        // Two seconds later (a zip's timestamp resolution), with weights rebuilt from scratch: a redelivery.
        Thread.sleep(2100);
        NetworkWeights same = GanNetworks.initialCritic(GanPreset.TINY, 5);
        ObjectRef second = models.putWeights("e-idem", "critic", 3, same);

        assertEquals(first, second);
        assertEquals(List.of(first.key()), objects.list("experiments/e-idem/"));
        assertEquals(before.lastModified(), rawStat(first.key()).lastModified(), "not rewritten");
        assertEquals(before.etag(), rawStat(first.key()).etag());

        // Different weights, different key; the same weights in another round, another key.
        ObjectRef other = models.putWeights("e-idem", "critic", 3, GanNetworks.initialCritic(GanPreset.TINY, 6));
        ObjectRef later = models.putWeights("e-idem", "critic", 4, w);
        assertNotEquals(first.key(), other.key());
        assertEquals(first.sha256(), later.sha256());
        assertEquals(3, objects.list("experiments/e-idem/critic/").size());
    }

    @Test
    void overwrittenWeightsAreCorrupt() {
        NetworkWeights w = GanNetworks.initialCritic(GanPreset.TINY, 21);
        ObjectRef c = models.putWeights("e-corrupt", "critic", 1, w);
        // Another payload under the claimed key, through ObjectStore (so its own metadata is consistent):
        // only the claim can tell.
        byte[] other = ModelStore.canonicalWeights(GanNetworks.initialCritic(GanPreset.TINY, 22));
        assertEquals(c.size(), other.length, "same layout, same size: only the checksum differs");
        objects.put(c.key(), other, ModelStore.WEIGHTS_CONTENT_TYPE);

        StorageException e = assertThrows(StorageException.class, () -> models.getWeights(c, w));
        System.out.println("overwritten weights: " + e.getMessage());
        assertEquals(StorageException.Reason.CORRUPT, e.reason());
        assertEquals(c.key(), e.key());
        assertTrue(e.getMessage().contains("checksum") && e.getMessage().contains(c.key()), e.getMessage());

        // A put of the original weights heals it: the content address says what the key must hold.
        assertEquals(c, models.putWeights("e-corrupt", "critic", 1, w));
        assertArrayEquals(w.flatten(), models.getWeights(c, w).flatten());
    }

    @Test
    void deltaRoundTripKeepsNaN() {
        float[] delta = {0f, -1.5f, 3.25e-7f, Float.NaN, Float.POSITIVE_INFINITY, -0f, Float.MIN_VALUE, Float.MAX_VALUE};
        ObjectRef c = models.putDelta("e-delta", 7, "client-0042", delta);
        assertTrue(c.key().matches("experiments/e-delta/deltas/round-00007/client-0042-[0-9a-f]{32}\\.delta"), c.key());
        assertEquals(ModelStore.DELTA_HEADER_BYTES + 4L * delta.length, c.size());
        float[] back = models.getDelta(c, delta.length);
        assertEquals(delta.length, back.length);
        for (int i = 0; i < delta.length; i++) {
            assertEquals(Float.floatToRawIntBits(delta[i]), Float.floatToRawIntBits(back[i]), "value " + i);
        }

        // The stored form: "FGDL", version 2 and the length as little-endian int32, the nonce, then the floats.
        byte[] raw = objects.get(c.key());
        assertEquals("FGDL", new String(raw, 0, 4, StandardCharsets.US_ASCII));
        assertArrayEquals(new byte[] {2, 0, 0, 0, 8, 0, 0, 0}, Arrays.copyOfRange(raw, 4, 12));
        String nonce = HexFormat.of().formatHex(raw, 12, 28);
        assertTrue(c.key().endsWith("-" + nonce + ".delta"), "the key's nonce is the header's: " + c.key());
        assertArrayEquals(new byte[] {0, 0, (byte) 0xc0, (byte) 0xbf}, Arrays.copyOfRange(raw, 32, 36), "-1.5f LE");
        assertEquals(Sha256.hex(raw), c.sha256(), "the claim's checksum covers the nonce");
    }

    /**
     * The same delta stored twice (a redelivered task) is two objects with different keys and checksums, so that
     * neither is a function of the delta (a hash of a deterministic client's delta would confirm a guess about its
     * data); both read back the same values.
     */
    @Test
    void theSameDeltaStoredTwiceHasAnotherKeyAndChecksumEachTime() {
        float[] delta = {0.25f, -1f, 3f};
        ObjectRef a = models.putDelta("e-nonce", 4, "w07", delta);
        ObjectRef b = models.putDelta("e-nonce", 4, "w07", delta.clone());
        assertNotEquals(a.key(), b.key());
        assertNotEquals(a.sha256(), b.sha256());
        assertEquals(a.size(), b.size());
        String unsalted = Sha256.hex(ModelStore.encodeDelta(delta, new byte[ExperimentLayout.DELTA_NONCE_BYTES]));
        for (ObjectRef c : List.of(a, b)) {
            assertArrayEquals(delta, models.getDelta(c, 3));
            assertFalse(c.key().contains(unsalted.substring(0, 16)) || c.sha256().equals(unsalted), c.toString());
        }
        assertEquals(2, objects.list("experiments/e-nonce/deltas/round-00004/").size());
        assertEquals(2, models.deleteDeltas("e-nonce", 4), "both deleted with their round");
    }

    @Test
    void aVersion1DeltaOfAnEarlierClientUpdateIsStillRead() {
        byte[] v1 = java.nio.ByteBuffer.allocate(12 + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .order(java.nio.ByteOrder.BIG_ENDIAN).putInt(ModelStore.DELTA_MAGIC)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(2).putFloat(1.5f).putFloat(-2f).array();
        String sha = Sha256.hex(v1);
        String key = "experiments/e-v1/deltas/round-00000/w01-" + sha.substring(0, 16) + ".delta";
        objects.put(key, v1, ModelStore.DELTA_CONTENT_TYPE);
        assertArrayEquals(new float[] {1.5f, -2f}, models.getDelta(new ObjectRef(objects.bucket(), key, v1.length, sha), 2));
        assertEquals(1, models.deleteDeltas("e-v1", 0));
    }

    @Test
    void wrongDeltaLengthNamesTheKey() {
        ObjectRef c = models.putDelta("e-delta", 1, "client-1", new float[] {1, 2, 3});
        StorageException e = assertThrows(StorageException.class, () -> models.getDelta(c, 4));
        System.out.println("wrong length: " + e.getMessage());
        assertEquals(StorageException.Reason.INVALID, e.reason());
        assertTrue(e.getMessage().contains(c.key()) && e.getMessage().contains("3 values, expected 4"), e.getMessage());

        // Not a delta at all (weights claimed as a delta).
        ObjectRef w = models.putWeights("e-delta", "critic", 1, GanNetworks.initialCritic(GanPreset.TINY, 1));
        StorageException notDelta = assertThrows(StorageException.class, () -> models.getDelta(w, 3));
        assertTrue(notDelta.getMessage().contains("not a delta") && notDelta.getMessage().contains(w.key()),
                notDelta.getMessage());
    }

    /** A shard's share reads back to the same sum; a corrupt one is refused naming it; it goes with its round. */
    @Test
    void aShareReadsBackIsCheckedAndIsDeletedWithItsRound() {
        dev.fedgan.core.gan.RoundShare share = dev.fedgan.core.gan.RoundShare.of(3, 4, 0.5);
        share.add(new dev.fedgan.core.gan.ClientUpdate("c1", 3, new float[] {3, 4, 0, 0}, 10, 2, false, 0.25));
        ObjectRef c = models.putShare("e-share.high", "p1", 2, share);
        assertEquals("experiments/e-share.high/shares/round-00003/p1-p2.share", c.key());
        dev.fedgan.core.gan.RoundShare back = models.getShare(c);
        assertEquals(3, back.round());
        assertEquals(java.util.Set.of("c1"), back.clients());
        byte[] truncated = java.util.Arrays.copyOf(objects.get(c.key()), (int) c.size() - 5);
        objects.put("experiments/e-share.high/shares/round-00003/p1-p3.share", truncated,
                ModelStore.SHARE_CONTENT_TYPE);
        StorageException e = assertThrows(StorageException.class, () -> models.getShare(new ObjectRef(
                objects.bucket(), "experiments/e-share.high/shares/round-00003/p1-p3.share", truncated.length,
                Sha256.hex(truncated))));
        assertEquals(StorageException.Reason.INVALID, e.reason());
        assertTrue(e.getMessage().contains("p1-p3.share: truncated"), e.getMessage());
        ObjectRef later = models.putShare("e-share.high", "p2", 0, dev.fedgan.core.gan.RoundShare.of(4, 4, 0.5));
        assertEquals(2, models.deleteDeltas("e-share.high", 3), "round 3's two shares");
        assertTrue(objects.exists(later.key()), "round 4's stays");
    }

    /**
     * Retention: the deltas of finished rounds are deleted; later rounds' and every other object stay.
     */
    @Test
    void deletesTheDeltasOfFinishedRoundsOnly() {
        String e = "e-retention";
        for (int round = 0; round < 3; round++) {
            for (String client : List.of("c1", "c2")) {
                models.putDelta(e, round, client, new float[] {round, client.length()});
            }
        }
        ObjectRef later = models.putDelta(e, 12, "c1", new float[] {1});
        ObjectRef weights = models.putWeights(e, "critic", 1, GanNetworks.initialCritic(GanPreset.TINY, 1));
        ObjectRef other = models.putDelta("e-retention-other", 0, "c1", new float[] {1});

        assertEquals(4, models.deleteDeltas(e, 1), "rounds 0 and 1, two clients each");
        List<String> left = objects.list(ExperimentLayout.deltas(e));
        assertEquals(3, left.size(), left.toString());
        assertTrue(left.stream().allMatch(k -> k.contains("/round-00002/") || k.equals(later.key())), left.toString());
        assertTrue(objects.exists(weights.key()) && objects.exists(other.key()), "weights and other experiments stay");
        assertEquals(0, models.deleteDeltas(e, 1), "nothing left to delete");

        assertEquals(3, models.deleteDeltas(e, 12), "round 2's two and round 12's");
        assertFalse(objects.exists(later.key()));
        assertTrue(objects.exists(weights.key()) && objects.exists(other.key()), "still only deltas of this experiment");
    }

    /**
     * A resumed run deletes what rounds after its checkpoint's stored unannounced: their weights and checkpoints,
     * and nothing else (earlier rounds, deltas, files, other kinds, other namespaces).
     */
    @Test
    void deletesTheWeightsAndCheckpointsOfLaterRoundsOnly() throws Exception {
        String ns = "e-unreleased.low_accuracy";
        NetworkWeights w = GanNetworks.initialCritic(GanPreset.TINY, 1);
        GanTrainingConfig config = GanSettingsMapping.config(GanSettings.builder().preset("tiny").rounds(3)
                .clientsPerRound(2).criticSteps(1).generatorSteps(1).seed(5L).build());
        ModelStore.StoredCheckpoint round0 = models.putCheckpoint(ns,
                FederatedGanTraining.startRemote(config, List.of("w00", "w01", "w02"), null, 42L));
        assertEquals(0, ExperimentLayout.roundStateRound(ns, round0.manifest().key()), round0.manifest().key());
        List<String> kept = new java.util.ArrayList<>(List.of(round0.manifest().key(), round0.generator().key(),
                round0.critic().key()));
        List<String> later = new java.util.ArrayList<>();
        for (int round = 1; round <= 12; round += 11) {
            for (String kind : List.of("generator", "critic")) {
                String key = models.putWeights(ns, kind, round, withValue(w, round)).key();
                (round == 1 ? kept : later).add(key);
            }
            String checkpoint = ExperimentLayout.checkpoint(ns, round) + String.format("%016x", round) + ".json";
            objects.put(checkpoint, "{}".getBytes(StandardCharsets.UTF_8), "application/json");
            (round == 1 ? kept : later).add(checkpoint);
        }
        later.add(models.putWeights(ns, "generator", 2, withValue(w, 2)).key());
        kept.add(models.putDelta(ns, 2, "c1", new float[] {1}).key()); // the redone round may still use it
        kept.add(models.putDelta(ns, 7, "c1", new float[] {1}).key());
        kept.add(models.putWeights(ns, "samples", 5, w).key()); // not a kind a round's completion stores
        kept.add(models.putFile(ns, "round-00009-0123456789abcdef.zip", new byte[] {1}).key());
        kept.add(models.putFile(ns, "critic/round-00009-0123456789abcdef.zip", new byte[] {2}).key());
        String other = models.putWeights("e-unreleased.other", "critic", 5, w).key();
        String prefixTwin = models.putWeights(ns + "x", "critic", 5, w).key();

        assertEquals(later.size(), models.deleteRoundsAfter(ns, 1), later.toString());
        for (String key : later) {
            assertFalse(objects.exists(key), key);
        }
        for (String key : kept) {
            assertTrue(objects.exists(key), key);
        }
        assertTrue(objects.exists(other) && objects.exists(prefixTwin), "other namespaces stay");
        assertEquals(0, models.deleteRoundsAfter(ns, 1), "nothing left to delete");
        assertEquals(-1, ExperimentLayout.roundStateRound(ns, later.get(0).replace(ns, ns + "x")));
    }

    private static NetworkWeights withValue(NetworkWeights layout, float value) {
        float[] shift = new float[Math.toIntExact(layout.length())];
        Arrays.fill(shift, value);
        NetworkWeights w = layout.copy();
        w.add(shift);
        return w;
    }

    @Test
    void missingObjectNamesTheKey() {
        ObjectRef ghost = new ObjectRef("fedgan", "experiments/e-none/deltas/round-00001/c-0123456789abcdef.delta", 16,
                "ab".repeat(32));
        StorageException e = assertThrows(StorageException.class, () -> models.getDelta(ghost, 1));
        assertEquals(StorageException.Reason.MISSING, e.reason());
        assertTrue(e.getMessage().contains(ghost.key()), e.getMessage());

        StorageException bucket = assertThrows(StorageException.class,
                () -> models.getDelta(new ObjectRef("elsewhere", ghost.key(), 16, ghost.sha256()), 1));
        assertEquals(StorageException.Reason.INVALID, bucket.reason());
        assertTrue(bucket.getMessage().contains("elsewhere"), bucket.getMessage());
    }

    @Test
    void referenceSizeDeltaGoesUpInOnePut() throws Exception {
        float[] delta = new float[3_000_000];
        Random r = new Random(3);
        for (int i = 0; i < delta.length; i++) {
            delta[i] = (float) r.nextGaussian() * 1e-3f;
        }
        models.putDelta("e-big", 0, "warmup", new float[] {1}); // connection warm
        long t0 = System.nanoTime();
        ObjectRef c = models.putDelta("e-big", 1, "client-7", delta);
        long putMs = (System.nanoTime() - t0) / 1_000_000;
        long t1 = System.nanoTime();
        float[] back = models.getDelta(c, delta.length);
        long getMs = (System.nanoTime() - t1) / 1_000_000;
        String etag = rawStat(c.key()).etag();
        double mb = c.size() / 1e6;
        System.out.printf("12 MB delta (%d bytes, ETag %s): put %d ms (%.0f MB/s), get+verify %d ms (%.0f MB/s)%n",
                c.size(), etag, putMs, mb / (putMs / 1e3), getMs, mb / (getMs / 1e3));

        assertEquals(12_000_028L, c.size());
        assertArrayEquals(delta, back);
        assertTrue(etag.replace("\"", "").matches("[0-9a-f]{32}"), "one PUT (an MD5 ETag, no multipart '-N'), ETag " + etag);
    }

    @Test
    void filesAreStoredAndFetched(@TempDir Path tmp) throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.write(out.resolve("samples.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        Files.writeString(out.resolve("metrics.csv"), "round,epsilon\n1,0.5\n");
        Files.writeString(out.resolve("report.html"), "<html><body>ok</body></html>");
        Files.writeString(out.resolve("summary.json"), "{\"rounds\":1}");

        ObjectRef png = models.putFile("e-files", "plots/samples.png", out.resolve("samples.png"));
        models.putFile("e-files", "metrics.csv", out.resolve("metrics.csv"));
        models.putFile("e-files", "report/index.html", out.resolve("report.html"));
        models.putFile("e-files", "summary.json", out.resolve("summary.json"));
        models.putDelta("e-files", 1, "c1", new float[] {1}); // not under files/

        assertEquals("experiments/e-files/files/plots/samples.png", png.key());
        assertEquals(7, png.size());
        assertEquals("image/png", contentType(png.key()));
        assertEquals("text/csv;charset=utf-8", contentType("experiments/e-files/files/metrics.csv"));
        assertEquals("text/html;charset=utf-8", contentType("experiments/e-files/files/report/index.html"));
        assertEquals("application/json", contentType("experiments/e-files/files/summary.json"));

        Path target = tmp.resolve("fetched");
        models.fetchAll("e-files", "files/", target);
        try (var walk = Files.walk(target)) {
            assertEquals(List.of("metrics.csv", "plots/samples.png", "report/index.html", "summary.json"),
                    walk.filter(Files::isRegularFile).map(p -> target.relativize(p).toString().replace('\\', '/'))
                            .sorted().toList());
        }
        assertArrayEquals(Files.readAllBytes(out.resolve("samples.png")),
                Files.readAllBytes(target.resolve("plots/samples.png")));
        assertEquals("round,epsilon\n1,0.5\n", Files.readString(target.resolve("metrics.csv")));

        // A narrower prefix; everything of the experiment.
        models.fetchAll("e-files", "files/plots/", tmp.resolve("plots-only"));
        assertTrue(Files.exists(tmp.resolve("plots-only/samples.png")));
        models.fetchAll("e-files", "", tmp.resolve("all"));
        try (var walk = Files.walk(tmp.resolve("all"))) {
            assertEquals(5, walk.filter(Files::isRegularFile).count());
        }

        assertThrows(IllegalArgumentException.class, () -> models.putFile("e-files", "../escape.png", out.resolve("samples.png")));
        assertThrows(IllegalArgumentException.class, () -> models.putFile("e-files", "/abs.png", out.resolve("samples.png")));
        assertThrows(IllegalArgumentException.class, () -> models.fetchAll("e-files", "../", target));
    }

    @Test
    void claimIsPlainJson() throws Exception {
        ObjectRef c = models.putDelta("e-json", 2, "c9", new float[] {1, 2});
        ObjectMapper json = new ObjectMapper();
        String text = json.writeValueAsString(c);
        System.out.println("claim JSON: " + text);
        assertEquals("{\"bucket\":\"fedgan\",\"key\":\"" + c.key() + "\",\"size\":36,\"sha256\":\"" + c.sha256() + "\"}", text);
        assertEquals(c, json.readValue(text, ObjectRef.class));
        assertEquals("s3://fedgan/" + c.key(), c.uri());
        assertThrows(Exception.class, () -> json.readValue(text.replace(c.sha256(), "xyz"), ObjectRef.class));
    }

    @Test
    void badIdsAreRejected() {
        float[] d = {1};
        assertThrows(IllegalArgumentException.class, () -> models.putDelta("../x", 1, "c", d));
        assertThrows(IllegalArgumentException.class, () -> models.putDelta("e", 1, "a/b", d));
        assertThrows(IllegalArgumentException.class, () -> models.putDelta("e", -1, "c", d));
        assertThrows(IllegalArgumentException.class, () -> models.putDelta("", 1, "c", d));
        assertThrows(IllegalArgumentException.class,
                () -> models.putWeights("e", "critic/x", 1, GanNetworks.initialCritic(GanPreset.TINY, 1)));
    }

    @Test
    void classifiersRoundTripAndCorruptOnesAreRejectedNamingTheObject() throws Exception {
        FederatedDataset lab = DatasetLoader.load("bundled:lab", WriterPartition.Options.DEFAULT);
        FederatedDataset small = lab.restrictTo("small", lab.byId().keySet().stream().limit(4).toList());
        PrimaryClassifier c = ClassifierTraining.train(small, small, new ClassifierTraining.Options(1, 32, 1e-3, 0, 5),
                Progress.NONE);
        ObjectRef ref = models.putClassifier(c);
        assertTrue(ref.key().matches("classifiers/[0-9a-f]{16}\\.zip"), ref.key());
        PrimaryClassifier back = models.getClassifier(ref);
        assertEquals(c.network().params(), back.network().params());
        assertEquals(c.provenance(), back.provenance());

        ObjectRef notAClassifier = models.putWeights("clf", "generator", 0,
                GanNetworks.initialGenerator(GanPreset.TINY, 1));
        StorageException e = assertThrows(StorageException.class, () -> models.getClassifier(notAClassifier));
        assertTrue(e.getMessage().contains(notAClassifier.key()) && e.getMessage().contains("not a stored classifier"),
                e.getMessage());
    }

    @Test
    void checkpointsRoundTripWithTheirRandomStreams() {
        GanTrainingConfig config = GanSettingsMapping.config(dev.fedgan.protocol.GanSettings.builder().preset("tiny")
                .rounds(3).clientsPerRound(2).criticSteps(1).generatorSteps(1).seed(5L).noiseMultiplier(1.0)
                .clipQuantile(0.5).build());
        List<String> ids = List.of("w00", "w01", "w02", "w03");
        FederatedGanTraining run = FederatedGanTraining.startRemote(config, ids, null, 42L);
        run.completeRound(run.beginRound(), List.of()); // nobody answered: the noised count alone moves the clip
        assertTrue(run.clip() != config.clip(), "adaptive clipping moved S: " + run.clip());
        ModelStore.StoredCheckpoint stored = models.putCheckpoint("ckpt.low_accuracy", run);
        ObjectRef ref = stored.manifest();
        assertEquals(models.putWeights("ckpt.low_accuracy", "critic", 1, run.critic()), stored.critic(),
                "the checkpoint's critic is the round's stored critic");
        assertTrue(ref.key().startsWith("experiments/ckpt.low_accuracy/checkpoints/round-00001-"), ref.key());
        FederatedGanTraining back = models.getCheckpoint(ref);
        assertEquals(ids, back.clientIds());
        assertEquals(1, back.round());
        assertEquals(config, back.config(), "the adaptive clip's rule");
        assertEquals(run.clip(), back.clip(), 0, "where it moved S");
        assertArrayEquals(run.critic().flatten(), back.critic().flatten());
        // The seeded sampler continues where it was: the next round samples the same clients.
        assertEquals(run.beginRound().clients(), back.beginRound().clients());

        ObjectRef weights = models.putWeights("ckpt", "critic", 0, run.critic());
        StorageException e = assertThrows(StorageException.class, () -> models.getCheckpoint(weights));
        assertTrue(e.getMessage().contains(weights.key()) && e.getMessage().contains("not a stored checkpoint"),
                e.getMessage());
    }
}

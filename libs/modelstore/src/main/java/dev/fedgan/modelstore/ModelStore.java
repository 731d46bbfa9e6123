package dev.fedgan.modelstore;

import dev.fedgan.objectstore.Sha256;
import dev.fedgan.objectstore.StorageException;
import dev.fedgan.objectstore.StoredObject;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.gan.FederatedGanTraining;
import dev.fedgan.core.gan.GanCheckpoint;
import dev.fedgan.core.gan.NetworkWeights;
import dev.fedgan.core.gan.RoundShare;
import dev.fedgan.core.io.FileTrees;
import dev.fedgan.core.io.Json;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RoundCompleted;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The claim-check side of the services: puts the domain's payloads into an {@link ObjectStore} and hands back a
 * {@link ObjectRef} (bucket, key, size, SHA-256) small enough for a Kafka message; takes a claim and returns the
 * payload only if the bytes match it.
 *
 * <p>Every key comes from {@link ExperimentLayout} (docs/storage.md lists them); the {@code experimentId} the methods
 * take is an experiment or one GAN's {@link ExperimentLayout#namespace namespace}.
 *
 * Weights are content-addressed: the key includes the hash of the bytes, so storing the same payload twice (a
 * redelivered message, a retried round) yields the same key and writes nothing, and a key never names two
 * different payloads. A delta is salted instead: its key and its bytes hold a random nonce drawn for each put, so
 * neither its key nor its claim's SHA-256 is a function of the delta (which would confirm a guess about the client's
 * data); storing a delta again stores a second object. Deltas are deleted once their round is checkpointed
 * ({@link #deleteDeltas}).
 */
public final class ModelStore {

    /** Content type of weights: a zip of .npy files. */
    public static final String WEIGHTS_CONTENT_TYPE = "application/zip";
    /** Content type of client deltas (the format of {@link #putDelta}). */
    public static final String DELTA_CONTENT_TYPE = "application/x-fedgan-delta";
    /** Content type of a shard's share of a round. */
    public static final String SHARE_CONTENT_TYPE = "application/x-fedgan-share";
    /** The first four bytes of a delta object: {@code FGDL}. */
    public static final int DELTA_MAGIC = 0x4647444C;
    /** The delta format version written: 2, with the nonce in the header. */
    public static final int DELTA_VERSION = 2;
    /** Bytes before a delta's floats: magic, version, length (three int32), then the nonce. */
    public static final int DELTA_HEADER_BYTES = 12 + ExperimentLayout.DELTA_NONCE_BYTES;
    /** Version 1, written by an earlier client-update (no nonce, a 12-byte header): still read. */
    static final int DELTA_VERSION_1 = 1;

    private static final SecureRandom NONCES = new SecureRandom();
    /** Zip entry time of canonical weights: the DOS epoch, so the bytes do not depend on when they were written. */
    private static final LocalDateTime ZIP_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);
    private static final Map<String, String> CONTENT_TYPES = Map.ofEntries(
            Map.entry("png", "image/png"),
            Map.entry("gif", "image/gif"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("csv", "text/csv; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("htm", "text/html; charset=utf-8"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("md", "text/markdown; charset=utf-8"),
            Map.entry("zip", "application/zip"),
            Map.entry("npy", "application/octet-stream"));

    /**
     * Transfers that run beside the caller's: the checkpoint's generator upload ({@link #putCheckpoint}), a round's
     * critic fetched beside its generator ({@link #fetchAsync}). Threads end after a minute idle.
     */
    private static final ExecutorService TRANSFERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fedgan-transfer");
        t.setDaemon(true);
        return t;
    });

    private final ObjectStore store;

    public ModelStore(ObjectStore store) {
        if (store == null) {
            throw new IllegalArgumentException("object store must not be null");
        }
        this.store = store;
    }

    // ---------------------------------------------------------------- weights

    /**
     * Stores a network's weights under {@code experiments/<experimentId>/<kind>/round-<round, 5 digits>-<sha256[0:16]>.zip}
     * in {@link NetworkWeights#write} format, canonicalised (uncompressed entries, fixed timestamps) so that the
     * same weights always give the same bytes and hence the same key. Writes nothing if that object exists.
     *
     * @param kind  what the weights are, e.g. {@code generator}, {@code critic}
     * @param round the training round they belong to (0 for the initial weights)
     */
    public ObjectRef putWeights(String experimentId, String kind, int round, NetworkWeights w) {
        return put(weightsObject(experimentId, kind, round, w));
    }

    /**
     * Checks that an announced round's generator is that round's own, without downloading it: in this bucket, under
     * the weights of the announcement's experiment, GAN and round, stored with the announced size and SHA-256. A
     * round announced by anyone else (a hostile or stray record) names weights that are missing or not its own, and
     * is refused before anything is kept for it.
     *
     * @throws StorageException {@link StorageException.Reason#INVALID} for weights that are not the round's own,
     *                          {@link StorageException.Reason#MISSING} if they are not stored, or
     *                          {@link StorageException.Reason#CORRUPT} for another size or hash
     */
    public void checkAnnounced(RoundCompleted r) {
        ObjectRef g = r.generator();
        String prefix = ExperimentLayout.weights(ExperimentLayout.namespace(r.experimentId(), r.gan()), "generator",
                r.round());
        if (!g.bucket().equals(store.bucket()) || !g.key().startsWith(prefix)) {
            throw new StorageException(StorageException.Reason.INVALID, g.key(), "not the generator of "
                    + r.experimentId() + "/" + r.gan() + " round " + r.round() + " (expected s3://" + store.bucket()
                    + "/" + prefix + "...)");
        }
        StoredObject o = store.stat(g.key());
        if (o.size() != g.size() || !o.sha256().equals(g.sha256())) {
            throw new StorageException(StorageException.Reason.CORRUPT, g.key(), "checksum mismatch: stored with size "
                    + o.size() + " and SHA-256 " + o.sha256() + ", announced " + g.size() + " and " + g.sha256());
        }
    }

    /** Weights serialised and named, ready to {@link #put(WeightsObject)}. */
    private record WeightsObject(String key, byte[] bytes, String sha) {
    }

    private ObjectRef put(WeightsObject w) {
        return ObjectStore.ref(store.bucket(), store.putIfChanged(w.key(), w.bytes(), w.sha(), WEIGHTS_CONTENT_TYPE));
    }

    private WeightsObject weightsObject(String experimentId, String kind, int round, NetworkWeights w) {
        String prefix = ExperimentLayout.weights(experimentId, kind, round);
        byte[] bytes = canonicalWeights(w);
        String sha = Sha256.hex(bytes);
        return new WeightsObject(prefix + sha.substring(0, 16) + ".zip", bytes, sha);
    }

    /**
     * Fetches the weights a claim names: the bytes must have the claim's size and SHA-256, then the tensors
     * {@code layout}'s names and shapes (and finite values; see {@link NetworkWeights#read}).
     *
     * @throws StorageException naming the object: missing, wrong size, corrupt (checksum), or
     *                          {@link StorageException.Reason#INVALID} for weights of another layout
     */
    public NetworkWeights getWeights(ObjectRef c, NetworkWeights layout) {
        return getWeights(c, layout, false);
    }

    /**
     * {@link #getWeights} into {@code target}'s own arrays ({@link NetworkWeights#readInto}), returning it; after a
     * failure the target's values are undefined.
     */
    public NetworkWeights getWeightsInto(ObjectRef c, NetworkWeights target) {
        return getWeights(c, target, true);
    }

    private NetworkWeights getWeights(ObjectRef c, NetworkWeights layout, boolean inPlace) {
        return readWeights(c, fetch(c), layout, inPlace);
    }

    /** {@link #getWeights} or {@link #getWeightsInto} of bytes {@link #fetch} returned for {@code c}. */
    public NetworkWeights readWeights(ObjectRef c, byte[] bytes, NetworkWeights layout, boolean inPlace) {
        try {
            ByteArrayInputStream in = new ByteArrayInputStream(bytes);
            return inPlace ? NetworkWeights.readInto(in, layout, c.uri()) : NetworkWeights.read(in, layout, c.uri());
        } catch (IOException e) {
            throw new StorageException(StorageException.Reason.INVALID, c.key(), e.getMessage(), e);
        }
    }

    /** {@link NetworkWeights#write}'s bytes: stored entries with fixed times, so equal weights give equal bytes. */
    static byte[] canonicalWeights(NetworkWeights w) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.toIntExact(4 * w.length() + 64 * 1024));
            w.write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise weights: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- deltas

    /**
     * Stores a client's flat delta (in {@link NetworkWeights#flatten()} order) under
     * {@code experiments/<experimentId>/deltas/round-<round>/<clientId>-<nonce>.delta}, the nonce
     * {@link ExperimentLayout#DELTA_NONCE_BYTES} bytes from a {@link SecureRandom}, new for each call: a 28-byte
     * header (the ASCII bytes {@code FGDL}, then version 2 and the value count as little-endian int32, then the
     * nonce) and the values as little-endian float32. The claim's SHA-256 covers the nonce, so it is salted. NaN and
     * infinite values are stored as they are.
     */
    public ObjectRef putDelta(String experimentId, int round, String clientId, float[] delta) {
        if (delta == null) {
            throw new IllegalArgumentException("delta of client " + clientId + " must not be null");
        }
        byte[] nonce = nonceBytes();
        String key = ExperimentLayout.delta(experimentId, round, clientId, HexFormat.of().formatHex(nonce));
        byte[] bytes = encodeDelta(delta, nonce);
        // a fresh key: nothing to compare with (and client-update may write deltas, never read one)
        return ObjectStore.ref(store.bucket(), store.put(key, bytes, Sha256.hex(bytes), DELTA_CONTENT_TYPE));
    }

    /**
     * Stores a flat vector (a federated point's round weights or a user's update) under {@code key} in the delta
     * format, salted with a fresh nonce; {@link #getDelta} reads it back.
     */
    public ObjectRef putVector(String key, float[] values) {
        byte[] bytes = encodeDelta(values, nonceBytes());
        return ObjectStore.ref(store.bucket(), store.put(key, bytes, Sha256.hex(bytes), DELTA_CONTENT_TYPE));
    }

    /** A fresh nonce as lowercase hex, for keys that must not repeat. */
    static String nonce() {
        return HexFormat.of().formatHex(nonceBytes());
    }

    private static byte[] nonceBytes() {
        byte[] nonce = new byte[ExperimentLayout.DELTA_NONCE_BYTES];
        NONCES.nextBytes(nonce);
        return nonce;
    }

    /**
     * Fetches the delta a claim names: checks size and SHA-256 against the claim, the header, and that it has
     * {@code expectedLength} values. NaN and infinite values are returned as they are (the aggregator decides).
     *
     * @throws StorageException naming the object: missing, wrong size, corrupt, or
     *                          {@link StorageException.Reason#INVALID} for a wrong length or a malformed header
     */
    public float[] getDelta(ObjectRef c, int expectedLength) {
        byte[] bytes = fetch(c);
        return decodeDelta(bytes, expectedLength, c);
    }

    /**
     * Stores an aggregator shard's share of a round ({@link RoundShare#writeTo}) under
     * {@link ExperimentLayout#share}. A share is the un-noised sum of its clients' clipped deltas: the aggregator's
     * alone, like the deltas.
     */
    public ObjectRef putShare(String namespace, String plan, int partition, RoundShare share) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            share.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        byte[] bytes = out.toByteArray();
        String key = ExperimentLayout.share(namespace, share.round(), plan, partition);
        return ObjectStore.ref(store.bucket(), store.put(key, bytes, Sha256.hex(bytes), SHARE_CONTENT_TYPE));
    }

    /**
     * Fetches the share a claim names, checked against the claim's size and SHA-256.
     *
     * @throws StorageException naming the object: missing, wrong size, corrupt, or
     *                          {@link StorageException.Reason#INVALID} if the bytes are not a share
     */
    public RoundShare getShare(ObjectRef c) {
        byte[] bytes = fetch(c);
        try {
            return RoundShare.readFrom(new ByteArrayInputStream(bytes), c.uri());
        } catch (IOException e) {
            throw new StorageException(StorageException.Reason.INVALID, c.key(), e.getMessage(), e);
        }
    }

    /**
     * Deletes one client delta of {@code namespace}: a late update's, which no round will use. Only a key of a delta
     * of that namespace ({@link ExperimentLayout#deltaRound}) is deleted: the claim comes from a message.
     *
     * @return whether it was such a key (and is gone)
     */
    public boolean deleteDelta(String namespace, ObjectRef c) {
        if (!c.bucket().equals(store.bucket()) || ExperimentLayout.deltaRound(namespace, c.key()) < 0) {
            return false;
        }
        store.delete(c.key());
        return true;
    }

    /**
     * Deletes the client deltas and the shards' shares of {@code experimentId}'s rounds up to {@code throughRound}
     * ({@link #putDelta}, {@link #putShare}): once a round's aggregate is released and checkpointed they are needed
     * by nothing, and they are the unnoised values that differential privacy protects. Later rounds' stay.
     *
     * @return how many objects were deleted
     */
    public int deleteDeltas(String experimentId, int throughRound) {
        int deleted = 0;
        for (String key : store.list(ExperimentLayout.deltas(experimentId))) {
            int round = ExperimentLayout.deltaRound(experimentId, key);
            if (round >= 0 && round <= throughRound) {
                store.delete(key);
                deleted++;
            }
        }
        for (String key : store.list(ExperimentLayout.shares(experimentId))) {
            int round = ExperimentLayout.shareRound(experimentId, key);
            if (round >= 0 && round <= throughRound) {
                store.delete(key);
                deleted++;
            }
        }
        return deleted;
    }

    /**
     * Deletes the weights (generator, critic) and checkpoints of {@code namespace}'s rounds after {@code round}
     * ({@link ExperimentLayout#roundStateRound}): what a round's completion stored before a crash kept it from being
     * recorded and announced. A resumed run calls it with its checkpoint's round before it goes on, so that no
     * noised version of a round is left beside the one the redone round releases. Deltas, files, rounds up to
     * {@code round} and other namespaces stay.
     *
     * @return how many objects were deleted
     */
    public int deleteRoundsAfter(String namespace, int round) {
        int deleted = 0;
        for (String key : store.list(ExperimentLayout.experiment(namespace))) {
            if (ExperimentLayout.roundStateRound(namespace, key) > round) {
                store.delete(key);
                deleted++;
            }
        }
        return deleted;
    }

    static byte[] encodeDelta(float[] delta, byte[] nonce) {
        ByteBuffer b = ByteBuffer.allocate(DELTA_HEADER_BYTES + 4 * delta.length).order(ByteOrder.LITTLE_ENDIAN);
        b.order(ByteOrder.BIG_ENDIAN).putInt(DELTA_MAGIC).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(DELTA_VERSION).putInt(delta.length).put(nonce);
        b.asFloatBuffer().put(delta);
        return b.array();
    }

    private static float[] decodeDelta(byte[] bytes, int expectedLength, ObjectRef c) {
        if (bytes.length < 12) {
            throw invalid(c, "not a delta: " + bytes.length + " bytes, shorter than the 12-byte header");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int magic = b.order(ByteOrder.BIG_ENDIAN).getInt();
        if (magic != DELTA_MAGIC) {
            throw invalid(c, String.format(Locale.ROOT, "not a delta: magic 0x%08x, expected 0x%08x (FGDL)", magic,
                    DELTA_MAGIC));
        }
        b.order(ByteOrder.LITTLE_ENDIAN);
        int version = b.getInt();
        if (version != DELTA_VERSION && version != DELTA_VERSION_1) {
            throw invalid(c, "delta format version " + version + ", this code reads versions " + DELTA_VERSION_1
                    + " and " + DELTA_VERSION);
        }
        int header = version == DELTA_VERSION ? DELTA_HEADER_BYTES : 12;
        int length = b.getInt();
        if (length < 0 || bytes.length < header || (long) header + 4L * length != bytes.length) {
            throw invalid(c, "delta header says " + length + " values but the payload holds "
                    + (bytes.length - header) + " bytes");
        }
        b.position(header);
        if (length != expectedLength) {
            throw invalid(c, "delta has " + length + " values, expected " + expectedLength
                    + " (a delta for another network layout)");
        }
        float[] out = new float[length];
        b.asFloatBuffer().get(out);
        return out;
    }

    // ---------------------------------------------------------------- files

    /**
     * Stores an output file (PNG, GIF, CSV, JSON, HTML...) under {@code experiments/<experimentId>/files/<relativePath>}
     * with a content type from its extension. Not content-addressed: a later file of the same path replaces it (the
     * claim's checksum tells the two apart); identical bytes are not rewritten.
     *
     * @param relativePath '/'-separated, no '..' or empty segments, e.g. {@code plots/round-00012.png}
     */
    public ObjectRef putFile(String experimentId, String relativePath, Path file) {
        return putFile(experimentId, relativePath, read(file, ExperimentLayout.file(experimentId, relativePath)));
    }

    /** {@link #putFile(String, String, Path)} for content already in memory (a CSV, a JSON document, a picture). */
    public ObjectRef putFile(String experimentId, String relativePath, byte[] bytes) {
        return ObjectStore.ref(store.bucket(), store.putIfChanged(ExperimentLayout.file(experimentId, relativePath), bytes,
                contentType(relativePath)));
    }

    /**
     * Stores a file of the simulation's ground truth under {@code experiments/<experimentId>/simulation/<relativePath>}
     * ({@link ExperimentLayout#simulation}): apart from the released files, with a content type from its extension.
     */
    public ObjectRef putSimulationFile(String experimentId, String relativePath, Path file) {
        String key = ExperimentLayout.simulation(experimentId, relativePath);
        return ObjectStore.ref(store.bucket(), store.putIfChanged(key, read(file, key), contentType(relativePath)));
    }

    /** A local file's bytes, to be stored under {@code key}; the error names both. */
    private byte[] read(Path file, String key) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " to store as " + store.uri(key) + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Copies every object under {@code experiments/<experimentId>/<prefix>} into {@code targetDir}, at its path
     * relative to the prefix's folder (so {@code fetchAll(id, "files/", dir)} writes {@code dir/report.html} for
     * {@code files/report.html}, and {@code fetchAll(id, "", dir)} writes {@code dir/files/report.html}), each
     * checked against its checksum and written atomically.
     *
     * @param prefix a key prefix relative to the experiment, "" for everything
     * @throws StorageException if an object is corrupt or missing; files fetched before it stay
     */
    public void fetchAll(String experimentId, String prefix, Path targetDir) {
        String root = ExperimentLayout.experiment(experimentId);
        String p = prefix == null ? "" : prefix;
        if (p.startsWith("/") || p.contains("..")) {
            throw new IllegalArgumentException("invalid prefix '" + p + "': relative to " + root + ", no '..'");
        }
        Path target = targetDir.toAbsolutePath().normalize();
        String folder = root + p.substring(0, p.lastIndexOf('/') + 1);
        for (String key : store.list(root + p)) {
            String relative = key.substring(folder.length());
            Path dest = target.resolve(relative).normalize();
            if (!dest.startsWith(target) || dest.equals(target)) {
                throw new StorageException(StorageException.Reason.INVALID, key, store.uri(key)
                        + ": key does not map to a file inside " + target);
            }
            byte[] bytes = store.get(key);
            try {
                Files.createDirectories(dest.getParent());
                Path tmp = Files.createTempFile(dest.getParent(), dest.getFileName().toString(), ".part");
                try {
                    Files.write(tmp, bytes);
                    Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + dest + " (from " + store.uri(key) + "): "
                        + e.getMessage(), e);
            }
        }
    }

    /** The content type stored for a file name, by extension; {@code application/octet-stream} if unknown. */
    public static String contentType(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String ext = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        return CONTENT_TYPES.getOrDefault(ext, "application/octet-stream");
    }

    // ---------------------------------------------------------------- classifiers and checkpoints


    /**
     * Stores a primary classifier (its {@link PrimaryClassifier#save} directory, {@code model.zip} and
     * {@code classifier.json}, as one zip) under {@code classifiers/<sha256[0:16]>.zip}; storing it again writes
     * nothing.
     */
    public ObjectRef putClassifier(PrimaryClassifier classifier) {
        return putDirectory(ExperimentLayout.CLASSIFIERS, "the classifier", classifier::save, CLASSIFIER_FILES);
    }

    /**
     * Loads a classifier stored by {@link #putClassifier}: checksum verified, then {@link PrimaryClassifier#load}.
     *
     * @throws StorageException naming the object if it is missing, corrupt, or not a classifier
     */
    public PrimaryClassifier getClassifier(ObjectRef c) {
        return getDirectory(c, "a stored classifier", CLASSIFIER_FILES, PrimaryClassifier::load);
    }

    /** A stored checkpoint: the run's state (accountant, random streams, round) and its weights' claims. */
    public record CheckpointManifest(int format, GanCheckpoint.State state, ObjectRef generator, ObjectRef critic) {
    }

    /** What {@link #putCheckpoint} stored: the manifest's claim, and the claims of the round's weights in it. */
    public record StoredCheckpoint(ObjectRef manifest, ObjectRef generator, ObjectRef critic) {
    }

    /**
     * Stores a training run's {@link GanCheckpoint}: the weights as {@link #putWeights} objects of the run's round
     * (so the aggregator's announcement of the same weights writes nothing more) and a small JSON manifest with the
     * state under {@code experiments/<experimentId>/checkpoints/round-<round, 5 digits>-<sha256[0:16]>.json}.
     */
    public StoredCheckpoint putCheckpoint(String experimentId, FederatedGanTraining run) {
        GanCheckpoint.State state = GanCheckpoint.state(run);
        // Serialised here (ND4J stays on the caller's thread), the two uploads side by side, the larger one started
        // first: they are on the critical path of every round, between the generator steps and the next round's tasks.
        WeightsObject generator = weightsObject(experimentId, "generator", run.round(), run.generator());
        CompletableFuture<ObjectRef> generatorPut = CompletableFuture.supplyAsync(() -> put(generator), TRANSFERS);
        WeightsObject critic = weightsObject(experimentId, "critic", run.round(), run.critic());
        ObjectRef d = put(critic);
        ObjectRef g;
        try {
            g = generatorPut.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        byte[] bytes = Json.toString(new CheckpointManifest(GanCheckpoint.FORMAT, state, g, d))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String sha = Sha256.hex(bytes);
        String key = ExperimentLayout.checkpoint(experimentId, run.round()) + sha.substring(0, 16)
                + ".json";
        return new StoredCheckpoint(ObjectStore.ref(store.bucket(), store.putIfChanged(key, bytes, sha, "application/json")),
                g, d);
    }

    /**
     * Continues a run from a checkpoint stored by {@link #putCheckpoint} (every object checksum-verified), its
     * clients training elsewhere ({@link GanCheckpoint#resumeRemote}).
     *
     * @throws StorageException naming the object if it or its weights are missing or corrupt, or it is not a checkpoint
     */
    public FederatedGanTraining getCheckpoint(ObjectRef c) {
        CheckpointManifest m;
        try {
            m = Json.MAPPER.readValue(fetch(c), CheckpointManifest.class);
        } catch (IOException e) {
            throw invalid(c, "not a stored checkpoint: " + e.getMessage());
        }
        if (m.state() == null || m.generator() == null || m.critic() == null) {
            throw invalid(c, "not a stored checkpoint (needs state, generator and critic)");
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("fedgan-checkpoint");
            Json.write(dir.resolve("state.json"), m.state());
            Files.write(dir.resolve("generator.zip"), fetch(m.generator()));
            Files.write(dir.resolve("critic.zip"), fetch(m.critic()));
            return GanCheckpoint.resumeRemote(dir);
        } catch (IOException e) {
            throw invalid(c, "not a readable checkpoint: " + e.getMessage());
        } finally {
            FileTrees.deleteQuietly(dir);
        }
    }

    private static final List<String> CLASSIFIER_FILES = List.of(PrimaryClassifier.WEIGHTS_FILE,
            PrimaryClassifier.PROVENANCE_FILE);

    private interface DirectoryWriter {
        void write(Path dir) throws IOException;
    }

    private interface DirectoryReader<T> {
        T read(Path dir) throws IOException;
    }

    /** Writes {@code files} through {@code writer} into a temp directory and stores them as one content-addressed zip. */
    private ObjectRef putDirectory(String keyPrefix, String what, DirectoryWriter writer, List<String> files) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("fedgan-store");
            Path content = dir.resolve("content");
            writer.write(content);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                for (String name : files) {
                    ZipEntry e = new ZipEntry(name);
                    e.setTimeLocal(ZIP_TIME);
                    zip.putNextEntry(e);
                    Files.copy(content.resolve(name), zip);
                    zip.closeEntry();
                }
            }
            byte[] b = bytes.toByteArray();
            String sha = Sha256.hex(b);
            String key = keyPrefix + sha.substring(0, 16) + ".zip";
            return ObjectStore.ref(store.bucket(), store.putIfChanged(key, b, sha, WEIGHTS_CONTENT_TYPE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot package " + what + " for the object store: " + e.getMessage(), e);
        } finally {
            FileTrees.deleteQuietly(dir);
        }
    }

    /** Fetches a zip stored by {@link #putDirectory} (checksum verified), unpacks {@code files} and reads them. */
    private <T> T getDirectory(ObjectRef c, String what, List<String> files, DirectoryReader<T> reader) {
        byte[] b = fetch(c);
        Path dir = null;
        try {
            dir = Files.createTempDirectory("fedgan-store");
            int found = 0;
            try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(b))) {
                for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                    if (files.contains(e.getName())) {
                        Files.write(dir.resolve(e.getName()), zip.readAllBytes());
                        found++;
                    }
                }
            }
            if (found != files.size()) {
                throw invalid(c, "not " + what + " (needs " + String.join(", ", files) + ")");
            }
            return reader.read(dir);
        } catch (IOException | RuntimeException e) {
            if (e instanceof StorageException s) {
                throw s;
            }
            throw invalid(c, "not a readable " + what.replaceFirst("^an? ", "") + ": " + e.getMessage());
        } finally {
            FileTrees.deleteQuietly(dir);
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * The bytes a claim names, checked against its size and SHA-256. Only I/O and hashing, no ND4J: any thread may
     * fetch.
     */
    public byte[] fetch(ObjectRef c) {
        if (c == null) {
            throw new IllegalArgumentException("claim must not be null");
        }
        if (!c.bucket().equals(store.bucket())) {
            throw new StorageException(StorageException.Reason.INVALID, c.key(), c.uri()
                    + ": claim is for bucket " + c.bucket() + ", this store reads bucket " + store.bucket());
        }
        return store.get(c.key(), c.size(), c.sha256());
    }

    /** {@link #fetch} on another thread. */
    public CompletableFuture<byte[]> fetchAsync(ObjectRef c) {
        return CompletableFuture.supplyAsync(() -> fetch(c), TRANSFERS);
    }

    private static StorageException invalid(ObjectRef c, String why) {
        return new StorageException(StorageException.Reason.INVALID, c.key(), c.uri() + ": " + why);
    }
}

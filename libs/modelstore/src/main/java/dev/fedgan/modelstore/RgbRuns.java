package dev.fedgan.modelstore;

import dev.fedgan.core.data.ColourImageFile;
import dev.fedgan.core.data.ColourImages;
import dev.fedgan.core.data.DataRoots;
import dev.fedgan.core.dpsgd.Network;
import dev.fedgan.core.gan.rgb.ColourQuality;
import dev.fedgan.core.gan.rgb.DcganClient;
import dev.fedgan.core.gan.rgb.DcganFederation;
import dev.fedgan.core.gan.rgb.DcganNetworks;
import dev.fedgan.core.gan.rgb.FederationServer;
import dev.fedgan.core.gan.rgb.RgbRunFiles;
import dev.fedgan.core.gan.rgb.RgbSpec;
import dev.fedgan.core.gan.rgb.UserLevelFederation;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.progress.Progress;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.objectstore.StorageException;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RgbRequest;
import dev.fedgan.protocol.RgbRoundDone;
import dev.fedgan.protocol.RgbRoundTask;
import dev.fedgan.protocol.RgbRunTask;
import dev.fedgan.protocol.RgbUpdateReady;
import com.fasterxml.jackson.core.type.TypeReference;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * RGB DCGAN runs on the services, the rules without Kafka. The filter {@link #submit submits} a run (its data loaded
 * and cut into clients, every client checked against the batch, each client's images and the run stored); the
 * aggregator {@link #start
 * starts} it (a {@link DcganFederation.Server}), stores each round's global networks ({@link #putGlobal}) and asks
 * client-update replicas for each client's round ({@link #clientRound}: the client rebuilt on its own stored images
 * alone, its state
 * of the round before restored, its steps, its networks and state stored), reads the networks back ({@link
 * #update}), averages them, stores the round's generator and announces it ({@link #finishRound}); image-render
 * {@link #render renders} each round (the grid, rounds.csv, after the last round the GIF) under the run's
 * {@code files/}, as {@code fedgan rgb} writes them. With seeded sampling and noise the run equals the one-JVM run.
 *
 * <p>At user level ({@link RgbSpec#userLevel}) the aggregator's server draws each round's clients and sends tasks to
 * those only; a client's answer is its discriminator, unnoised, which the server clips and noises
 * ({@link UserLevelFederation}); the server's state (the generator's optimiser) is kept with the checkpoint.
 *
 * <p>What is released: the global networks after each round, and the files drawn from them (grids, GIF, the losses
 * and ε in rounds.csv). Each client's networks are covered by its accountant (sample level: one of its images), and
 * the average is post-processing; the clients' own networks and optimiser states stay in the trusted store and are
 * deleted a round later. The losses released are those on generated images (functions of the DP discriminators);
 * the discriminators' loss on real images reaches the aggregator only. The quality figure reads real images
 * unnoised, so the services compute it only for the generated shapes ({@link #submit} refuses it otherwise).
 *
 * <p>One instance serves one thread (it caches the last run it loaded, with its clients' images).
 */
public final class RgbRuns {

    private final ObjectStore store;
    private final ModelStore models;
    private String loadedSha;
    private RgbSpec loadedSpec;
    /** The run's images, loaded only for the quality figure (the generated shapes). */
    private ColourImages loadedImages;
    /** Each client's images in the run started last (the aggregator's). */
    private int[] loadedSizes;
    /** The client a replica trained last, and its images. */
    private String clientKey;
    private ColourImages clientImages;
    /** The quality figure's classifier for the run loaded, once fitted. */
    private ColourQuality judge;

    public RgbRuns(ObjectStore store) {
        this.store = store;
        this.models = new ModelStore(store);
    }

    /**
     * Checks the request's run against its data (under {@code roots}, readable, cut into clients each holding at
     * least the expected batch), stores it and returns the aggregator's task.
     *
     * @throws IllegalArgumentException naming what is wrong, before any training
     */
    public RgbRunTask submit(RgbRequest request, DataRoots roots) {
        String id = request.experimentId();
        RgbSpec spec = RgbSpec.fromJson(request.run().toString());
        if (spec.quality() && !spec.data().equals("shapes")) {
            throw new IllegalArgumentException("RGB run " + id + ": the quality figure reads the real images without "
                    + "noise, so the services release it only for the generated shapes; submit with quality off");
        }
        roots.check("data", spec.data());
        ColourImages images = spec.clientImages();
        int[] sizes;
        try {
            sizes = spec.checkedSizes(images);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("RGB run " + id + ": " + e.getMessage(), e);
        }
        String key = ExperimentLayout.rgbSpec(id);
        if (store.exists(key) && !RgbSpec.fromJson(new String(store.get(key), StandardCharsets.UTF_8)).equals(spec)) {
            throw new IllegalArgumentException("RGB run " + id + " exists with other data or options: submit it under "
                    + "a new id");
        }
        List<String> ids = images.clientIds();
        for (int k = 0; k < ids.size(); k++) { // each client's images apart: a replica reads only its client's
            store.putIfChanged(ExperimentLayout.rgbClientImages(id, k), ColourImageFile.write(images.select(
                    images.imagesOf(ids.get(k)))), "application/octet-stream");
        }
        store.putIfChanged(ExperimentLayout.rgbClientSizes(id), Json.toString(sizes)
                .getBytes(StandardCharsets.UTF_8), "application/json");
        ObjectRef ref = ObjectStore.ref(store.bucket(), store.putIfChanged(key, spec.toJson().getBytes(
                StandardCharsets.UTF_8), "application/json"));
        return new RgbRunTask(Messages.SCHEMA, id, ref, ids.size(), spec.rounds());
    }

    /**
     * The aggregator's record of a run's latest finished round.
     *
     * @param run         the aggregator run whose objects (client states) the next round starts from
     * @param done        the round's announcement
     * @param nextGlobal  the next round's global networks; null after the last round
     * @param serverState at user level the server's state after the round (its generator's optimiser); null at sample
     *                    level
     */
    public record Checkpoint(String run, RgbRoundDone done, ObjectRef nextGlobal, ObjectRef serverState) {
    }

    /**
     * Where the aggregator starts a run: its server, with the run to use and the first round's global networks.
     *
     * @param last       the announcement of the latest finished round, or null when the run starts from round 1
     * @param nextGlobal the next round's global networks, or null when they are to be stored ({@link #putGlobal})
     */
    public record Start(FederationServer server, String run, RgbRoundDone last, ObjectRef nextGlobal) {
    }

    /**
     * The run's server. A run with a {@link Checkpoint} goes on after its latest finished round, under that round's
     * aggregator run (its clients' states are there): every round is trained and released once, so each client's ε
     * is what its rounds' steps give (at user level the server's own state is restored too). A run without one starts
     * at round 1 under {@code newRun}, deleting what earlier attempts left. A finished run's server is
     * {@link FederationServer#finished}.
     */
    public Start start(RgbRunTask task, String newRun) {
        RgbSpec spec = load(task.experimentId(), task.spec(), x -> false);
        String sizesKey = ExperimentLayout.rgbClientSizes(task.experimentId());
        int[] sizes = readJson(sizesKey, store.get(sizesKey), new TypeReference<int[]>() { });
        loadedSizes = sizes;
        if (sizes.length != task.clients() || spec.rounds() != task.rounds()) {
            throw new IllegalArgumentException("task says RGB run " + task.experimentId() + " has " + task.clients()
                    + " clients and " + task.rounds() + " rounds; the stored run has " + sizes.length + " and "
                    + spec.rounds());
        }
        FederationServer server = spec.server(sizes);
        String key = ExperimentLayout.rgbCheckpoint(task.experimentId());
        if (!store.exists(key)) {
            deleteRuns(task.experimentId());
            return new Start(server, newRun, null, null);
        }
        Checkpoint c = readJson(key, store.get(key), new TypeReference<Checkpoint>() { });
        INDArray d;
        INDArray g;
        if (c.nextGlobal() == null) { // done: the last generator is the one released
            d = server.discriminator().params();
            g = Nd4j.create(models.getDelta(c.done().generator(), Math.toIntExact(server.generator().numParams())));
        } else {
            float[] global = models.getDelta(c.nextGlobal(), Math.toIntExact(server.discriminator().numParams()
                    + server.generator().numParams()));
            d = part(global, 0, server.discriminator().numParams());
            g = part(global, server.discriminator().numParams(), server.generator().numParams());
        }
        if (server instanceof UserLevelFederation.Server u) { // a finished run needs no optimiser
            u.resume(c.done().round(), d, g, c.nextGlobal() == null ? null : models.fetch(c.serverState()));
        } else {
            ((DcganFederation.Server) server).resume(c.done().round(), d, g);
        }
        return new Start(server, c.run(), c.done(), c.nextGlobal());
    }

    /** δ of the guarantee in the run started last. */
    public double delta() {
        return loadedSpec.delta(loadedSizes);
    }

    /** Stores the global networks (discriminator then generator) that round {@code round}'s clients start from. */
    public ObjectRef putGlobal(String id, String run, int round, FederationServer server) {
        return models.putVector(ExperimentLayout.rgbGlobal(id, run, round), concat(
                server.discriminator().params(), server.generator().params()));
    }

    /**
     * One client's round (a client-update replica's side): the client on its own images, its state after the round
     * before restored, the round's global networks, its local steps; its networks and state stored in the trusted
     * store for the aggregator.
     *
     * @throws IllegalArgumentException if the task names another run's object or a client the run lacks
     * @throws StorageException         if the run, the networks or the client's earlier state are missing or corrupt
     */
    public RgbUpdateReady clientRound(RgbRoundTask task) {
        String id = task.experimentId();
        RgbSpec spec = load(id, task.spec(), x -> false);
        String imagesKey = ExperimentLayout.rgbClientImages(id, task.client());
        if (!imagesKey.equals(clientKey)) {
            if (!store.exists(imagesKey)) {
                throw new IllegalArgumentException("round task of RGB run " + id + " names client " + task.client()
                        + ", whose images the run does not have");
            }
            clientImages = ColourImageFile.read(store.get(imagesKey), store.uri(imagesKey));
            clientKey = imagesKey;
        }
        return spec.userLevel() ? userLevelRound(task, spec) : sampleLevelRound(task, spec);
    }

    /**
     * The round's global networks the task names.
     *
     * @throws IllegalArgumentException if it names another round's object
     */
    private float[] global(RgbRoundTask task, long length) {
        if (!task.global().key().equals(ExperimentLayout.rgbGlobal(task.experimentId(), task.run(), task.round()))) {
            throw new IllegalArgumentException("round task of RGB run " + task.experimentId() + " names "
                    + task.global().key() + ", not its round's global networks");
        }
        return models.getDelta(task.global(), Math.toIntExact(length));
    }

    /** A sample-level client's round: its optimiser state restored, DP-SGD steps, its networks and state stored. */
    private RgbUpdateReady sampleLevelRound(RgbRoundTask task, RgbSpec spec) {
        String id = task.experimentId();
        DcganFederation.Options o = spec.options();
        DcganClient client = DcganFederation.clientOn(clientImages, task.client(), o);
        if (task.round() > 1) {
            String key = ExperimentLayout.rgbClientState(id, task.run(), task.round() - 1, task.client());
            try {
                client.restore(store.get(key));
            } catch (IllegalArgumentException e) {
                throw new StorageException(StorageException.Reason.INVALID, key, e.getMessage());
            }
        }
        long d = client.discriminator().numParams();
        long g = client.generator().numParams();
        float[] global = global(task, d + g);
        DcganFederation.ClientRound r = DcganFederation.clientRound(client, part(global, 0, d), part(global, d, g),
                task.round(), o.localSteps(), Progress.NONE, "client " + task.client());
        store.put(ExperimentLayout.rgbClientState(id, task.run(), task.round(), task.client()), client.state(),
                "application/octet-stream");
        ObjectRef ref = models.putVector(ExperimentLayout.rgbUpdate(id, task.run(), task.round(), task.client(),
                ModelStore.nonce()), concat(client.discriminator().params(), client.generator().params()));
        return new RgbUpdateReady(Messages.SCHEMA, id, task.run(), task.round(), task.client(), ref, r.realLossSum(),
                r.realCounted(), r.fakeLossSum(), r.generatorLossSum(), r.steps());
    }

    /**
     * A user-level client's round: plain discriminator steps from the global networks (a fresh optimiser each round,
     * no state); its discriminator alone stored, unnoised, for the server to clip and noise. Its losses are not sent:
     * nothing of them is released.
     */
    private RgbUpdateReady userLevelRound(RgbRoundTask task, RgbSpec spec) {
        UserLevelFederation.Options o = spec.userOptions();
        Network discriminator = DcganNetworks.discriminator(o.widths(), o.seed());
        Network generator = DcganNetworks.generator(o.widths(), o.seed() + 1);
        long d = discriminator.numParams();
        long g = generator.numParams();
        float[] global = global(task, d + g);
        discriminator.params().assign(part(global, 0, d).reshape(discriminator.params().shape())
                .castTo(discriminator.params().dataType()));
        generator.params().assign(part(global, d, g).reshape(generator.params().shape())
                .castTo(generator.params().dataType()));
        float[] trained = UserLevelFederation.clientRound(clientImages, task.client(), o, discriminator, generator,
                task.round());
        ObjectRef ref = models.putVector(ExperimentLayout.rgbUpdate(task.experimentId(), task.run(), task.round(),
                task.client(), ModelStore.nonce()), trained);
        return new RgbUpdateReady(Messages.SCHEMA, task.experimentId(), task.run(), task.round(), task.client(), ref,
                0, 0, 0, 0, o.localSteps());
    }

    /**
     * Adds a client's networks to the server's round: the claimed object under the run's prefix, of the networks'
     * length, every value finite.
     *
     * @throws StorageException naming the object if it is missing, corrupt, of another run or length, or not finite
     */
    public void add(FederationServer server, RgbUpdateReady u) {
        String prefix = ExperimentLayout.rgbRound(u.experimentId(), u.run(), u.round());
        if (!u.update().key().startsWith(prefix)) {
            throw new StorageException(StorageException.Reason.INVALID, u.update().key(), "the networks of client "
                    + u.client() + " are not under their round's " + prefix);
        }
        long d = server.discriminator().numParams();
        long g = server.generator().numParams();
        boolean userLevel = server instanceof UserLevelFederation.Server;
        float[] values = models.getDelta(u.update(), Math.toIntExact(userLevel ? d : d + g));
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new StorageException(StorageException.Reason.INVALID, u.update().key(), "the networks of client "
                        + u.client() + " have NaN or infinite values");
            }
        }
        if (server instanceof UserLevelFederation.Server user) {
            user.add(u.client(), values);
        } else {
            ((DcganFederation.Server) server).add(u.client(), part(values, 0, d), part(values, d, g),
                    new DcganFederation.ClientRound(u.realLossSum(), u.realCounted(), u.fakeLossSum(),
                            u.generatorLossSum(), u.steps()));
        }
    }

    /**
     * Ends a round on the store's side: the round's generator stored (released), the next round's global networks
     * and the {@link Checkpoint} stored, the round before's objects deleted (its clients' networks and states are
     * needed by nothing now); returns the checkpoint, whose announcement is the round's.
     */
    public Checkpoint finishRound(RgbRunTask task, String run, FederationServer server, DcganFederation.Round r) {
        String id = task.experimentId();
        ObjectRef generator = models.putVector(ExperimentLayout.rgbGenerator(id, r.round()),
                server.generator().params().toFloatVector());
        boolean nonPrivate = loadedSpec.nonPrivate();
        RgbRoundDone done = new RgbRoundDone(Messages.SCHEMA, id, task.spec(), r.round(), task.rounds(), generator,
                r.discriminatorFakeLoss(), r.generatorLoss(), nonPrivate ? null : r.epsilon(),
                nonPrivate ? null : delta(), server.clients(), server instanceof DcganFederation.Server sample
                        ? sample.smallestClient() : null); // user level: epsilon needs no client's size
        ObjectRef next = r.round() < task.rounds() ? putGlobal(id, run, r.round() + 1, server) : null;
        ObjectRef state = null;
        if (server instanceof UserLevelFederation.Server user && next != null) {
            String key = ExperimentLayout.rgbServerState(id, run, r.round());
            state = ObjectStore.ref(store.bucket(), store.putIfChanged(key, user.state(), "application/octet-stream"));
        }
        Checkpoint c = new Checkpoint(run, done, next, state);
        store.put(ExperimentLayout.rgbCheckpoint(id), Json.toString(c).getBytes(StandardCharsets.UTF_8),
                "application/json");
        if (r.round() > 1) {
            store.list(ExperimentLayout.rgbRound(id, run, r.round() - 1)).forEach(store::delete);
        }
        return c;
    }

    /** Deletes what the run's rounds kept (clients' networks and states): called once its last round is done. */
    public void finishRun(String id) {
        deleteRuns(id);
    }

    private void deleteRuns(String id) {
        store.list(ExperimentLayout.rgbRuns(id)).forEach(store::delete);
    }

    /**
     * Renders an announced round into the run's files: its grid when the run draws one this round, rounds.csv with
     * every round so far (a round announced again, or by a run started anew, replaces it and the rounds after it),
     * and after the last round training.gif of the grids.
     *
     * @throws StorageException if the run or the generator is missing or corrupt
     */
    public void render(RgbRoundDone done) {
        String id = done.experimentId();
        RgbSpec spec = load(id, done.spec(), s -> s.quality());
        String stateKey = ExperimentLayout.render(id, "rgb", "rounds.json");
        List<RgbRunFiles.Row> rows = new ArrayList<>();
        if (store.exists(stateKey)) {
            rows.addAll(readJson(stateKey, store.get(stateKey), new TypeReference<List<RgbRunFiles.Row>>() { }));
        }
        rows.removeIf(r -> r.round().round() >= done.round());
        DcganFederation.Round round = new DcganFederation.Round(done.round(), Double.NaN, done.fakeLoss(),
                done.generatorLoss(), done.epsilon() == null ? Double.POSITIVE_INFINITY : done.epsilon());
        Double frechet = null;
        if (spec.drawsGrid(done.round())) {
            Network generator = DcganNetworks.generator(spec.options().widths(), spec.seed() + 1);
            generator.params().assign(Nd4j.create(models.getDelta(done.generator(),
                    Math.toIntExact(generator.numParams()))).reshape(generator.params().shape())
                    .castTo(generator.params().dataType()));
            byte[] png = RgbRunFiles.png(RgbRunFiles.gridImage(DcganFederation.draw(generator, spec.seed(),
                    RgbSpec.GRID_IMAGES)));
            store.put(ExperimentLayout.file(id, RgbRunFiles.grid(done.round())), png, "image/png");
            if (spec.quality()) {
                if (judge == null) {
                    judge = spec.quality(loadedImages);
                }
                frechet = spec.qualityOf(judge, generator);
            }
        }
        rows.add(new RgbRunFiles.Row(round, frechet));
        store.put(ExperimentLayout.file(id, RgbRunFiles.CSV), RgbRunFiles.csv(rows, spec.nonPrivate())
                .getBytes(StandardCharsets.UTF_8), "text/csv");
        store.put(stateKey, Json.toString(rows).getBytes(StandardCharsets.UTF_8), "application/json");
        if (done.round() == done.rounds()) {
            List<BufferedImage> grids = new ArrayList<>();
            List<String> captions = new ArrayList<>();
            for (RgbRunFiles.Row r : rows) {
                if (spec.drawsGrid(r.round().round())) {
                    grids.add(RgbRunFiles.readGrid(store.get(ExperimentLayout.file(id,
                            RgbRunFiles.grid(r.round().round())))));
                    captions.add(RgbRunFiles.caption(r, spec.nonPrivate()));
                }
            }
            store.put(ExperimentLayout.file(id, RgbRunFiles.GIF), RgbRunFiles.gif(grids, captions), "image/gif");
            BufferedImage chart = RgbRunFiles.chart(rows, spec.nonPrivate());
            if (chart != null) {
                store.put(ExperimentLayout.file(id, RgbRunFiles.CHART), RgbRunFiles.png(chart), "image/png");
            }
            double delta = done.delta() == null ? Double.NaN : done.delta();
            String privacy = spec.userLevel() ? RgbRunFiles.userPrivacy(spec.userOptions(), done.clients(), delta,
                    round.epsilon()) : RgbRunFiles.samplePrivacy(spec, done.clients(), done.smallestClient(), delta,
                    round.epsilon());
            store.put(ExperimentLayout.file(id, RgbRunFiles.HTML), RgbRunFiles.report("fedgan RGB DCGAN " + id,
                    privacy, rows, spec.nonPrivate(), chart != null, done.round()).getBytes(StandardCharsets.UTF_8),
                    "text/html");
        }
    }

    /** An object of this class's own JSON. */
    private static <T> T readJson(String key, byte[] json, TypeReference<T> type) {
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (IOException | RuntimeException e) {
            throw new StorageException(StorageException.Reason.INVALID, key, "not what the RGB run's services wrote: "
                    + e.getMessage());
        }
    }

    /** The stored run a message names (and its clients' images when it needs them), unless loaded already. */
    private RgbSpec load(String id, ObjectRef spec, java.util.function.Predicate<RgbSpec> images) {
        if (!spec.key().equals(ExperimentLayout.rgbSpec(id))) {
            throw new IllegalArgumentException("message of RGB run " + id + " names " + spec.key() + ", not "
                    + ExperimentLayout.rgbSpec(id));
        }
        if (!spec.sha256().equals(loadedSha)) {
            loadedSpec = RgbSpec.fromJson(new String(models.fetch(spec), StandardCharsets.UTF_8));
            loadedImages = null;
            judge = null;
            clientKey = null;
            loadedSha = spec.sha256();
        }
        if (images.test(loadedSpec) && loadedImages == null) {
            loadedImages = loadedSpec.clientImages();
        }
        return loadedSpec;
    }

    private static float[] concat(INDArray a, INDArray b) {
        float[] x = a.toFloatVector();
        float[] y = b.toFloatVector();
        float[] all = java.util.Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, all, x.length, y.length);
        return all;
    }

    private static INDArray part(float[] values, long from, long length) {
        return Nd4j.create(java.util.Arrays.copyOfRange(values, Math.toIntExact(from), Math.toIntExact(from + length)));
    }
}

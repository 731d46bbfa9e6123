package dev.fedgan.modelstore;

import dev.fedgan.core.data.DataRoots;
import dev.fedgan.core.dpsgd.DpFedAvgTraining;
import dev.fedgan.core.dpsgd.Examples;
import dev.fedgan.core.dpsgd.Network;
import dev.fedgan.core.fairness.FairnessFiles;
import dev.fedgan.core.fairness.FairnessSweep;
import dev.fedgan.core.fairness.SweepSpec;
import dev.fedgan.core.io.FileTrees;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.objectstore.StorageException;
import dev.fedgan.protocol.FairnessPointDone;
import dev.fedgan.protocol.FairnessPointTask;
import dev.fedgan.protocol.FairnessRoundTask;
import dev.fedgan.protocol.FairnessUpdateReady;
import dev.fedgan.protocol.FairnessSweepRequest;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fairness sweeps on the services, the rules without Kafka: the filter {@link #submit submits} a sweep (checks it
 * against its data before any training, stores it, names its points), a worker {@link #runPoint runs} one point (the
 * stored sweep and its examples, {@link FairnessSweep#runPoint}, the point stored), image-render {@link #collect
 * collects} (once every point is stored, the sweep's files as {@code fedgan fairness} writes them, under the sweep's
 * {@code files/}).
 *
 * <p>A federated (DP-FedAvg) point runs on the round services instead: the aggregator {@link #startFederated starts}
 * it, stores each round's weights ({@link #putRoundWeights}) and asks client-update replicas for the drawn users'
 * updates ({@link #userUpdate}), which it reads back ({@link #update}), aggregates, and deletes ({@link #deleteRound});
 * then it stores the point ({@link #storeFederated}). With seeded sampling and noise the point equals the one
 * {@code fedgan fairness} trains in one JVM.
 *
 * <p>Every step may run again: a redelivered task whose point is stored is announced again without training (a
 * DP point is released once); one whose worker died mid-point trains it; a sweep submitted again with the same
 * content sends tasks only for the points not stored yet; the files are written from whatever is stored. A sweep id
 * already used with other content is refused.
 *
 * <p>One instance serves one thread (a worker caches the last sweep it loaded, and the last federated point's users,
 * network and round weights).
 *
 * <p>A sweep is a study on data the team holds (lab data with a simulated imbalance), like {@code fedgan fairness}: a
 * non-private point's figures are not private; a DP point's ε is what the same training guarantees.
 */
public final class FairnessSweeps {

    private final ObjectStore store;
    private final ModelStore models;
    /** The last sweep a worker loaded, by its stored checksum: the next point of the same sweep skips loading. */
    private String loadedSha;
    private SweepSpec loadedSpec;
    private Examples[] loadedExamples;
    /** The federated point whose users a worker last trained, with its network: the next round's tasks reuse them. */
    private FairnessSweep.FederatedData federated;
    private Network federatedNet;
    private int federatedPoint = -1;
    private String federatedSha;
    /** The last round weights read, by checksum. */
    private float[] weights;
    private String weightsSha;

    public FairnessSweeps(ObjectStore store) {
        this.store = store;
        this.models = new ModelStore(store);
    }

    /**
     * Checks the request's sweep against its data (under {@code roots}, readable, every setting possible at the
     * sweep's size), stores it and returns a task per point not stored yet.
     *
     * @throws IllegalArgumentException naming what is wrong, before any training
     */
    public List<FairnessPointTask> submit(FairnessSweepRequest request, DataRoots roots) {
        String id = request.experimentId();
        SweepSpec spec = SweepSpec.fromJson(request.sweep().toString());
        roots.check("data", spec.data());
        roots.check("test_data", spec.testData());
        Examples[] data = spec.examples();
        FairnessSweep.checkedSize(data[0], spec.sweep());
        String key = ExperimentLayout.fairnessSweep(id);
        byte[] bytes = spec.toJson().getBytes(StandardCharsets.UTF_8);
        if (store.exists(key) && !SweepSpec.fromJson(new String(store.get(key), StandardCharsets.UTF_8)).equals(spec)) {
            throw new IllegalArgumentException("fairness sweep " + id + " exists with other data or options: submit "
                    + "it under a new id");
        }
        ObjectRef sweep = ObjectStore.ref(store.bucket(), store.putIfChanged(key, bytes, "application/json"));
        int n = FairnessSweep.tasks(spec.sweep()).size();
        java.util.Set<String> stored = storedPoints(id);
        List<FairnessPointTask> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!stored.contains(ExperimentLayout.fairnessPoint(id, i))) {
                tasks.add(new FairnessPointTask(Messages.SCHEMA, id, i, n, sweep));
            }
        }
        return tasks;
    }

    /**
     * Trains and measures the task's point on the stored sweep's examples and stores it; a point stored already is
     * only announced again ({@link #storedAlready}).
     *
     * @throws IllegalArgumentException if the task names another sweep's object or a point the sweep lacks
     * @throws StorageException         if the stored sweep is missing or corrupt
     */
    public FairnessPointDone runPoint(FairnessPointTask task) {
        FairnessPointDone stored = storedAlready(task);
        if (stored != null) {
            return stored;
        }
        load(task.experimentId(), task.sweep(), task.points(), true);
        FairnessSweep.Point p = FairnessSweep.runPoint(loadedExamples[0], loadedExamples[1], loadedSpec.sweep(),
                task.point());
        return store(task, p);
    }

    /**
     * The point's announcement if the point is stored already, else null. A task redelivered after its point was
     * stored (its worker or aggregator died before acknowledging it, or its group rebalanced) must not train again:
     * a DP point trained twice would release two noised versions while each states the ε of one.
     */
    public FairnessPointDone storedAlready(FairnessPointTask task) {
        String key = ExperimentLayout.fairnessPoint(task.experimentId(), task.point());
        if (!store.exists(key)) {
            return null;
        }
        return new FairnessPointDone(Messages.SCHEMA, task.experimentId(), task.point(), task.points(),
                ObjectStore.ref(store.bucket(), store.stat(key)));
    }

    /**
     * Whether the task's point is a federated setting's: its rounds run on the aggregator ({@link #startFederated}),
     * not on a worker. Reads the stored sweep, not its data.
     */
    public boolean isFederated(FairnessPointTask task) {
        load(task.experimentId(), task.sweep(), task.points(), false);
        return FairnessSweep.isFederated(loadedSpec.sweep(), task.point());
    }

    /**
     * A federated point ready for its rounds (the aggregator's side): its server, and what stale runs of it left
     * (an aggregator that died mid-point) deleted.
     */
    public FairnessSweep.FederatedPoint startFederated(FairnessPointTask task) {
        load(task.experimentId(), task.sweep(), task.points(), true);
        deleteRuns(task.experimentId(), task.point());
        return new FairnessSweep.FederatedPoint(loadedExamples[0], loadedExamples[1], loadedSpec.sweep(), task.point());
    }

    /** Stores a round's server weights for the users' tasks. */
    public ObjectRef putRoundWeights(FairnessPointTask task, String run, int round, float[] weights) {
        return models.putVector(ExperimentLayout.fairnessRoundWeights(task.experimentId(), task.point(), run, round),
                weights);
    }

    /**
     * One user's update for a round of a federated point (a client-update replica's side): the point's users and
     * network as the aggregator's {@link FairnessSweep.FederatedPoint} has them, the round's weights, the user's
     * local training; the update stored unnoised, inside the trusted boundary, for the aggregator alone.
     *
     * @throws IllegalArgumentException if the task names another sweep's object, a point that is not federated or
     *                                  a user the point lacks
     * @throws StorageException         if the sweep or the weights are missing or corrupt
     */
    public FairnessUpdateReady userUpdate(FairnessRoundTask task) {
        String id = task.experimentId();
        load(id, task.sweep(), task.points(), true);
        if (federated == null || federatedPoint != task.point() || !task.sweep().sha256().equals(federatedSha)) {
            federated = FairnessSweep.federatedData(loadedExamples[0], loadedSpec.sweep(), task.point());
            federatedNet = FairnessSweep.network(federated.train(), loadedSpec.sweep());
            federatedPoint = task.point();
            federatedSha = task.sweep().sha256();
        }
        if (task.user() >= federated.users().length) {
            throw new IllegalArgumentException("round task of point " + task.point() + " of sweep " + id + " names user "
                    + task.user() + "; the point has " + federated.users().length);
        }
        if (!task.weights().sha256().equals(weightsSha)) { // a round's users share its weights
            weights = models.getDelta(task.weights(), Math.toIntExact(federatedNet.numParams()));
            weightsSha = task.weights().sha256();
        }
        float[] update = DpFedAvgTraining.localUpdate(federatedNet, weights, federated.train(),
                federated.users()[task.user()], federated.federated(), task.seed());
        ObjectRef ref = models.putVector(ExperimentLayout.fairnessUpdate(id, task.point(), task.run(), task.round(),
                task.user(), ModelStore.nonce()), update);
        return new FairnessUpdateReady(Messages.SCHEMA, id, task.point(), task.run(), task.round(), task.user(), ref);
    }

    /**
     * A user's update as the aggregator reads it: the claimed object under the run's prefix, of the network's
     * length, every value finite.
     *
     * @throws StorageException naming the object if it is missing, corrupt, of another run or length, or not finite
     */
    public float[] update(FairnessUpdateReady u, int length) {
        String prefix = ExperimentLayout.fairnessRun(u.experimentId(), u.point(), u.run());
        if (!u.update().key().startsWith(prefix)) {
            throw new StorageException(StorageException.Reason.INVALID, u.update().key(), "the update of user "
                    + u.user() + " is not under its run's " + prefix);
        }
        float[] values = models.getDelta(u.update(), length);
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new StorageException(StorageException.Reason.INVALID, u.update().key(), "the update of user "
                        + u.user() + " has NaN or infinite values");
            }
        }
        return values;
    }

    /** Deletes a round's objects (its weights, its users' unnoised updates) once the round is aggregated. */
    public void deleteRound(FairnessPointTask task, String run, int round) {
        store.list(ExperimentLayout.fairnessRound(task.experimentId(), task.point(), run, round)).forEach(store::delete);
    }

    /** Stores a federated point's result (the run's remaining objects deleted) and names it. */
    public FairnessPointDone storeFederated(FairnessPointTask task, FairnessSweep.Point p) {
        FairnessPointDone done = store(task, p);
        deleteRuns(task.experimentId(), task.point());
        return done;
    }

    private void deleteRuns(String id, int point) {
        store.list(ExperimentLayout.fairnessRuns(id, point)).forEach(store::delete);
    }

    private FairnessPointDone store(FairnessPointTask task, FairnessSweep.Point p) {
        byte[] json = FairnessFiles.pointJson(p).getBytes(StandardCharsets.UTF_8);
        ObjectRef result = ObjectStore.ref(store.bucket(), store.put(ExperimentLayout.fairnessPoint(task.experimentId(),
                task.point()), json, "application/json"));
        return new FairnessPointDone(Messages.SCHEMA, task.experimentId(), task.point(), task.points(), result);
    }

    /**
     * Loads the stored sweep a task names (and its examples when {@code examples}), unless it is the one loaded.
     *
     * @throws IllegalArgumentException if the object is another sweep's or the point count differs
     */
    private void load(String id, ObjectRef sweep, int points, boolean examples) {
        if (!sweep.key().equals(ExperimentLayout.fairnessSweep(id))) {
            throw new IllegalArgumentException("task of sweep " + id + " names " + sweep.key() + ", not "
                    + ExperimentLayout.fairnessSweep(id));
        }
        if (!sweep.sha256().equals(loadedSha)) {
            loadedSpec = SweepSpec.fromJson(new String(models.fetch(sweep), StandardCharsets.UTF_8));
            loadedExamples = null;
            loadedSha = sweep.sha256();
        }
        if (examples && loadedExamples == null) {
            loadedExamples = loadedSpec.examples();
        }
        int n = FairnessSweep.tasks(loadedSpec.sweep()).size();
        if (points != n) {
            throw new IllegalArgumentException("task says sweep " + id + " has " + points + " points; the stored sweep"
                    + " has " + n);
        }
    }

    /**
     * What is stored of a sweep: how many of its points, and once all are, the files written.
     *
     * @param stored the points stored
     * @param points the sweep's points
     * @param files  the sweep's files once every point is stored (empty before)
     */
    public record Collected(int stored, int points, List<ObjectRef> files) {

        public boolean complete() {
            return stored == points;
        }
    }

    /** The keys of the sweep's stored points, listed once. */
    private java.util.Set<String> storedPoints(String sweepId) {
        return new java.util.HashSet<>(store.list(ExperimentLayout.fairnessPoints(sweepId)));
    }

    /**
     * Counts the sweep's stored points; once all {@code points} are stored, writes the sweep's files (points.csv,
     * classes.csv, fairness.json, fairness.png, report.html) under its {@code files/}.
     */
    public Collected collect(String sweepId, int points) {
        java.util.Set<String> keys = storedPoints(sweepId);
        int stored = 0;
        for (int i = 0; i < points; i++) {
            stored += keys.contains(ExperimentLayout.fairnessPoint(sweepId, i)) ? 1 : 0;
        }
        if (stored < points) {
            return new Collected(stored, points, List.of());
        }
        SweepSpec spec = SweepSpec.fromJson(new String(store.get(ExperimentLayout.fairnessSweep(sweepId)),
                StandardCharsets.UTF_8));
        List<FairnessSweep.Point> all = new ArrayList<>();
        for (int i = 0; i < points; i++) {
            all.add(FairnessFiles.readPoint(new String(store.get(ExperimentLayout.fairnessPoint(sweepId, i)),
                    StandardCharsets.UTF_8)));
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("fedgan-fairness-");
            FairnessFiles.write(dir, spec.sweep(), all.get(0).trainExamples(), all);
            List<ObjectRef> files = new ArrayList<>();
            for (String name : FairnessFiles.NAMES) {
                files.add(models.putFile(sweepId, name, dir.resolve(name)));
            }
            return new Collected(points, points, List.copyOf(files));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the files of fairness sweep " + sweepId + ": "
                    + e.getMessage(), e);
        } finally {
            if (dir != null) {
                FileTrees.deleteQuietly(dir);
            }
        }
    }
}

package dev.fedgan.modelstore;

import dev.fedgan.core.dpsgd.Examples;
import dev.fedgan.core.fairness.FairnessFiles;
import dev.fedgan.core.fairness.FairnessSweep;
import dev.fedgan.core.fairness.SweepSpec;
import dev.fedgan.core.io.FileTrees;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.objectstore.StorageException;
import dev.fedgan.protocol.FairnessPointDone;
import dev.fedgan.protocol.FairnessPointTask;
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
 * <p>Every step may run again: a redelivered task (its worker died before announcing it) stores its point under the
 * same key; a sweep submitted again with the same content sends tasks only for the points not stored yet; the files
 * are written from whatever is stored. A sweep id already used with other content is refused.
 *
 * <p>One instance serves one thread (a worker caches the last sweep it loaded).
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

    public FairnessSweeps(ObjectStore store) {
        this.store = store;
        this.models = new ModelStore(store);
    }

    /**
     * Checks the request's sweep against its data (the data readable, every setting possible at the sweep's size),
     * stores it and returns a task per point not stored yet.
     *
     * @throws IllegalArgumentException naming what is wrong, before any training
     */
    public List<FairnessPointTask> submit(FairnessSweepRequest request) {
        String id = request.experimentId();
        SweepSpec spec = SweepSpec.fromJson(request.sweep().toString());
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
     * Trains and measures the task's point on the stored sweep's examples and stores it.
     *
     * @throws IllegalArgumentException if the task names another sweep's object or a point the sweep lacks
     * @throws StorageException         if the stored sweep is missing or corrupt
     */
    public FairnessPointDone runPoint(FairnessPointTask task) {
        String id = task.experimentId();
        if (!task.sweep().key().equals(ExperimentLayout.fairnessSweep(id))) {
            throw new IllegalArgumentException("point task of sweep " + id + " names " + task.sweep().key() + ", not "
                    + ExperimentLayout.fairnessSweep(id));
        }
        if (!task.sweep().sha256().equals(loadedSha)) {
            SweepSpec spec = SweepSpec.fromJson(new String(models.fetch(task.sweep()), StandardCharsets.UTF_8));
            loadedExamples = spec.examples();
            loadedSpec = spec;
            loadedSha = task.sweep().sha256();
        }
        int n = FairnessSweep.tasks(loadedSpec.sweep()).size();
        if (task.points() != n) {
            throw new IllegalArgumentException("point task says sweep " + id + " has " + task.points()
                    + " points; the stored sweep has " + n);
        }
        FairnessSweep.Point p = FairnessSweep.runPoint(loadedExamples[0], loadedExamples[1], loadedSpec.sweep(),
                task.point());
        byte[] json = FairnessFiles.pointJson(p).getBytes(StandardCharsets.UTF_8);
        ObjectRef result = ObjectStore.ref(store.bucket(), store.put(ExperimentLayout.fairnessPoint(id, task.point()),
                json, "application/json"));
        return new FairnessPointDone(Messages.SCHEMA, id, task.point(), n, result);
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

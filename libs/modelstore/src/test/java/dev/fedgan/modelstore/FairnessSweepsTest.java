package dev.fedgan.modelstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fedgan.core.dpsgd.DpFedAvgTraining;
import dev.fedgan.core.dpsgd.Examples;
import dev.fedgan.core.fairness.FairnessFiles;
import dev.fedgan.core.fairness.FairnessSweep;
import dev.fedgan.core.fairness.SweepSpec;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.devstack.EmbeddedS3;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.objectstore.StorageException;
import dev.fedgan.protocol.FairnessPointDone;
import dev.fedgan.protocol.FairnessPointTask;
import dev.fedgan.protocol.FairnessRoundTask;
import dev.fedgan.protocol.FairnessUpdateReady;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.FairnessSweepRequest;
import dev.fedgan.protocol.Messages;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A fairness sweep submitted, its points run one by one as workers run them, and collected, on a real S3 server. */
class FairnessSweepsTest {

    /** Bundled data and shapes only. */
    private static final dev.fedgan.core.data.DataRoots NO_PATHS = dev.fedgan.core.data.DataRoots.of(List.of());

    private static EmbeddedS3 s3;
    private static ObjectStore objects;

    @BeforeAll
    static void start() {
        s3 = EmbeddedS3.builder().start();
        objects = ObjectStore.connect(s3.endpoint(), s3.accessKey(), s3.secretKey(), "fedgan");
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

    static FairnessSweepRequest request(String id, SweepSpec spec) throws Exception {
        return new FairnessSweepRequest(Messages.SCHEMA, id, Json.MAPPER.readTree(spec.toJson()));
    }

    /**
     * A federated point as the aggregator and client-update replicas run it, through the store only: each round's
     * weights stored, each drawn user's update trained by a worker of its own and stored, read back and aggregated,
     * the round's objects deleted. The stored point is the one the core trains in one JVM (seeded sampling and
     * noise), and nothing of the run is left.
     */
    @Test
    void aFederatedPointRunsRoundByRoundThroughTheStore() throws Exception {
        SweepSpec spec = SweepSpec.demo(200);
        FairnessSweeps aggregator = new FairnessSweeps(objects);
        FairnessSweeps worker = new FairnessSweeps(objects);
        List<FairnessPointTask> tasks = aggregator.submit(request("sweep-f", spec), NO_PATHS);
        FairnessPointTask task = tasks.get(3); // share 0.8, DP-FedAvg
        assertTrue(aggregator.isFederated(task) && !aggregator.isFederated(tasks.get(2)));
        objects.put(ExperimentLayout.fairnessRun("sweep-f", 3, "stale") + "round-00001/weights.vec", new byte[] {1},
                "application/octet-stream"); // a run an aggregator crash left

        FairnessSweep.FederatedPoint point = aggregator.startFederated(task);
        assertTrue(objects.list(ExperimentLayout.fairnessRuns("sweep-f", 3)).isEmpty(), "stale runs deleted");
        String run = "run-1";
        int users = 0;
        while (!point.server().finished()) {
            DpFedAvgTraining.Round r = point.server().begin();
            ObjectRef weights = aggregator.putRoundWeights(task, run, r.number(), point.server().weights());
            float[][] updates = new float[r.users().length][];
            for (int k = 0; k < updates.length; k++) {
                FairnessUpdateReady u = worker.userUpdate(new FairnessRoundTask(Messages.SCHEMA, "sweep-f", 3, 4,
                        task.sweep(), run, r.number(), r.users()[k], r.seeds()[k], weights));
                assertTrue(u.update().key().startsWith(ExperimentLayout.fairnessRun("sweep-f", 3, run)
                        + String.format("round-%05d/user-%d-", r.number(), r.users()[k])), u.update().key());
                updates[k] = aggregator.update(u, point.server().length());
            }
            point.server().finish(r, updates);
            aggregator.deleteRound(task, run, r.number());
            users += updates.length;
        }
        assertTrue(users > 0, "some user was drawn");
        FairnessPointDone done = aggregator.storeFederated(task, point.finish());
        assertEquals(ExperimentLayout.fairnessPoint("sweep-f", 3), done.result().key());
        assertTrue(objects.list(ExperimentLayout.fairnessRuns("sweep-f", 3)).isEmpty(), "nothing of the run is left");

        Examples[] data = spec.examples();
        FairnessSweep.Point local = FairnessSweep.runPoint(data[0], data[1], spec.sweep(), 3);
        FairnessSweep.Point stored = FairnessFiles.readPoint(new String(objects.get(done.result().key()),
                StandardCharsets.UTF_8));
        assertEquals(java.util.Arrays.deepToString(local.overall().confusion()),
                java.util.Arrays.deepToString(stored.overall().confusion()));
        assertEquals(local.privacy().epsilonOriginal(), stored.privacy().epsilonOriginal(), 0);

        // An update claimed outside its run, or for a user the point lacks, is refused.
        FairnessUpdateReady foreign = new FairnessUpdateReady(Messages.SCHEMA, "sweep-f", 3, run, 1, 0, task.sweep());
        assertTrue(assertThrows(StorageException.class, () -> aggregator.update(foreign, 10)).getMessage()
                .contains("is not under its run's"));
        ObjectRef w = aggregator.putRoundWeights(task, run, 1, new float[] {0});
        assertTrue(assertThrows(IllegalArgumentException.class, () -> worker.userUpdate(new FairnessRoundTask(
                Messages.SCHEMA, "sweep-f", 3, 4, task.sweep(), run, 1, 20, 1L, w))).getMessage()
                .contains("names user 20; the point has 20"));
    }

    @Test
    void aSweepRunsPointByPointAndItsFilesAppearOnceEveryPointIsStored() throws Exception {
        FairnessSweeps sweeps = new FairnessSweeps(objects);
        List<FairnessPointTask> tasks = sweeps.submit(request("sweep-a", SweepSpec.demo(200)), NO_PATHS);
        assertEquals(4, tasks.size());
        assertEquals(ExperimentLayout.fairnessSweep("sweep-a"), tasks.get(0).sweep().key());
        assertEquals(List.of(0, 1, 2, 3), tasks.stream().map(FairnessPointTask::point).toList());

        FairnessPointDone second = sweeps.runPoint(tasks.get(1));
        assertEquals(ExperimentLayout.fairnessPoint("sweep-a", 1), second.result().key());
        sweeps.runPoint(tasks.get(2));
        sweeps.runPoint(tasks.get(3));
        FairnessSweeps.Collected partial = sweeps.collect("sweep-a", 4);
        assertEquals(3, partial.stored());
        assertTrue(partial.files().isEmpty(), "no files before every point is stored");
        assertEquals(List.of(0), sweeps.submit(request("sweep-a", SweepSpec.demo(200)), NO_PATHS).stream()
                .map(FairnessPointTask::point).toList(), "submitted again: only the point not stored yet");

        FairnessPointDone first = sweeps.runPoint(tasks.get(0));
        FairnessPointDone again = sweeps.runPoint(tasks.get(0)); // redelivered: announced again, not trained again
        assertEquals(first, again, "the same object: a retrained point would differ (its seconds at least)");
        FairnessSweeps.Collected done = sweeps.collect("sweep-a", 4);
        assertTrue(done.complete());
        assertEquals(FairnessFiles.NAMES.size(), done.files().size());
        String csv = new String(objects.get(ExperimentLayout.file("sweep-a", FairnessFiles.POINTS_CSV)),
                StandardCharsets.UTF_8);
        List<String> rows = csv.lines().toList();
        assertEquals(FairnessFiles.POINTS_HEADER, rows.get(0));
        assertEquals(1 + 4 * 3, rows.size());
        assertTrue(rows.get(7).startsWith("0.8,DP-SGD z 1,overall,200,"), rows.get(7));
        JsonNode json = Json.MAPPER.readTree(objects.get(ExperimentLayout.file("sweep-a", FairnessFiles.JSON)));
        JsonNode privacy = json.get("points").get(2).get("privacy");
        assertEquals(PrivacyCalculator.forSamplingRate(50.0 / 200, 1.0, privacy.get("steps").asLong(),
                privacy.get("delta").asDouble()).epsilonOriginal(), privacy.get("epsilon_original").asDouble(), 1e-12);
        assertEquals(4, PrivacyCalculator.stepsForEpochs(200, 50, 1));
    }

    @Test
    void badSweepsAndTasksAreRefusedWithTheReason() throws Exception {
        FairnessSweeps sweeps = new FairnessSweeps(objects);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sweeps.submit(request("sweep-b", SweepSpec.demo(1_000_000)), NO_PATHS));
        assertTrue(e.getMessage().contains("cannot give 1000000 training examples"), e.getMessage());
        assertTrue(objects.list(ExperimentLayout.experiment("sweep-b")).isEmpty(), "nothing stored");

        List<FairnessPointTask> tasks = sweeps.submit(request("sweep-c", SweepSpec.demo(200)), NO_PATHS);
        e = assertThrows(IllegalArgumentException.class,
                () -> sweeps.submit(request("sweep-c", SweepSpec.demo(100)), NO_PATHS));
        assertTrue(e.getMessage().contains("exists with other data or options"), e.getMessage());
        FairnessPointTask t = tasks.get(0);
        e = assertThrows(IllegalArgumentException.class, () -> sweeps.runPoint(new FairnessPointTask(Messages.SCHEMA,
                "sweep-other", 0, 4, t.sweep())));
        assertTrue(e.getMessage().contains("names experiments/sweep-c/"), e.getMessage());
        objects.put(ExperimentLayout.fairnessSweep("sweep-c"), "{}".getBytes(StandardCharsets.UTF_8), "application/json");
        assertThrows(StorageException.class, () -> sweeps.runPoint(t), "a sweep changed under its claim is refused");
    }
}

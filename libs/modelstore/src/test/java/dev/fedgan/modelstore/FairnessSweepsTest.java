package dev.fedgan.modelstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fedgan.core.fairness.FairnessFiles;
import dev.fedgan.core.fairness.SweepSpec;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.devstack.EmbeddedS3;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.objectstore.StorageException;
import dev.fedgan.protocol.FairnessPointDone;
import dev.fedgan.protocol.FairnessPointTask;
import dev.fedgan.protocol.FairnessSweepRequest;
import dev.fedgan.protocol.Messages;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A fairness sweep submitted, its points run one by one as workers run them, and collected, on a real S3 server. */
class FairnessSweepsTest {

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

    @Test
    void aSweepRunsPointByPointAndItsFilesAppearOnceEveryPointIsStored() throws Exception {
        FairnessSweeps sweeps = new FairnessSweeps(objects);
        List<FairnessPointTask> tasks = sweeps.submit(request("sweep-a", SweepSpec.demo(200)));
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
        assertEquals(List.of(0), sweeps.submit(request("sweep-a", SweepSpec.demo(200))).stream()
                .map(FairnessPointTask::point).toList(), "submitted again: only the point not stored yet");

        sweeps.runPoint(tasks.get(0));
        sweeps.runPoint(tasks.get(0)); // redelivered: the same key again
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
                () -> sweeps.submit(request("sweep-b", SweepSpec.demo(1_000_000))));
        assertTrue(e.getMessage().contains("cannot give 1000000 training examples"), e.getMessage());
        assertTrue(objects.list(ExperimentLayout.experiment("sweep-b")).isEmpty(), "nothing stored");

        List<FairnessPointTask> tasks = sweeps.submit(request("sweep-c", SweepSpec.demo(200)));
        e = assertThrows(IllegalArgumentException.class, () -> sweeps.submit(request("sweep-c", SweepSpec.demo(100))));
        assertTrue(e.getMessage().contains("exists with other data or options"), e.getMessage());
        FairnessPointTask t = tasks.get(0);
        e = assertThrows(IllegalArgumentException.class, () -> sweeps.runPoint(new FairnessPointTask(Messages.SCHEMA,
                "sweep-other", 0, 4, t.sweep())));
        assertTrue(e.getMessage().contains("names experiments/sweep-c/"), e.getMessage());
        objects.put(ExperimentLayout.fairnessSweep("sweep-c"), "{}".getBytes(StandardCharsets.UTF_8), "application/json");
        assertThrows(StorageException.class, () -> sweeps.runPoint(t), "a sweep changed under its claim is refused");
    }
}

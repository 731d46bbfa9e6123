package dev.fedgan.core.fairness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.dpsgd.Activation;
import dev.fedgan.core.dpsgd.Dl4jModels;
import dev.fedgan.core.dpsgd.Examples;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A sweep as one stored value, and its points run one at a time as workers run them. */
class SweepSpecTest {

    static SweepSpec spec() {
        return new SweepSpec("bundled:lab", null, 0.1, 60, WriterPartition.Options.DEFAULT, new FairnessSweep.Options(MinorityGroup.parse("class:8"),
                List.of(1.0, 0.9), List.of(new FairnessSweep.Setting("non-private", FairnessSweepTest.options(null, true)),
                        new FairnessSweep.Setting("DPSGD-F z=1", FairnessSweepTest.options(1.0, false), true),
                        FairnessSweep.Setting.federated("DP-FedAvg z=1", FairnessSweepTest.federated(1.0))),
                200, Dl4jModels.Model.TUTORIAL, Activation.Function.TANH, 4, 10));
    }

    @Test
    void aSpecReadsBackAsItWasWritten() {
        SweepSpec spec = spec();
        String json = spec.toJson();
        assertTrue(json.contains("\"group\" : \"class:8\""), json);
        assertEquals(spec, SweepSpec.fromJson(json));
        assertEquals(MinorityGroup.parse("inverted"), SweepSpec.fromJson(json.replace("class:8", "inverted"))
                .sweep().group());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SweepSpec.fromJson(json.replace("\"size\" : 200", "\"size\" : -3")));
        assertTrue(e.getMessage().contains("the training set size must be >= 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SweepSpec.fromJson(json.replace("class:8", "class:x")));
        assertTrue(e.getMessage().contains("needs a class number"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SweepSpec.fromJson("{\"data\": 3"));
    }

    /** Point 4 of 6 (share 0.9, DPSGD-F) run alone is the point the whole sweep runs, and survives JSON. */
    @Test
    void aPointRunAloneIsTheSweepsPoint() {
        SweepSpec spec = spec();
        Examples[] data = spec.examples();
        assertEquals(60, data[1].size());
        List<FairnessSweep.Task> tasks = FairnessSweep.tasks(spec.sweep());
        assertEquals(6, tasks.size());
        assertEquals(0.9, tasks.get(4).share());
        assertEquals("DPSGD-F z=1", tasks.get(4).setting().name());
        List<FairnessSweep.Point> all = FairnessSweep.run(data[0], data[1], spec.sweep(),
                dev.fedgan.core.progress.Progress.NONE);
        FairnessSweep.Point alone = FairnessSweep.runPoint(data[0], data[1], spec.sweep(), 4);
        FairnessSweep.Point same = all.get(4);
        assertEquals(same.minorityExamples(), alone.minorityExamples());
        assertArrayEquals(same.minority().confusion(), alone.minority().confusion());
        assertEquals(same.privacy().epsilonOriginal(), alone.privacy().epsilonOriginal(), 0);
        assertEquals(same.groupNorms(), alone.groupNorms());

        FairnessSweep.Point read = FairnessFiles.readPoint(FairnessFiles.pointJson(alone));
        assertEquals(alone.overall().accuracy(), read.overall().accuracy(), 0);
        assertArrayEquals(alone.overall().confusion(), read.overall().confusion());
        assertEquals(alone.privacy(), read.privacy());
        assertEquals(alone.classNorms(), read.classNorms());
        FairnessSweep.Point fl = FairnessFiles.readPoint(FairnessFiles.pointJson(all.get(5)));
        assertTrue(Double.isNaN(fl.classNorms().get(0).shareOverClip()), "NaN survives");
        assertThrows(IllegalArgumentException.class, () -> FairnessSweep.runPoint(data[0], data[1], spec.sweep(), 6));
        assertThrows(IllegalArgumentException.class, () -> FairnessFiles.readPoint("{\"share\": \"x\"}"));
    }
}

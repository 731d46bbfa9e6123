package dev.fedgan.core.fairness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.dpsgd.Activation;
import dev.fedgan.core.dpsgd.Dl4jModels;
import dev.fedgan.core.dpsgd.DpFedAvgTraining;
import dev.fedgan.core.dpsgd.DpSgdTraining;
import dev.fedgan.core.dpsgd.Examples;
import dev.fedgan.core.privacy.Conversion;
import dev.fedgan.core.privacy.DpSgdPrivacy;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.core.privacy.PrivacyEstimate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small sweep on the bundled digits: the points, their guarantees and the files. */
class FairnessSweepTest {

    @TempDir
    Path tmp;

    static DpSgdTraining.Options options(Double z, boolean nonPrivate) {
        return new DpSgdTraining.Options(1.0, z, null, null, Conversion.ORIGINAL, 64, 1, 0.1, 0, 256, 1, true,
                nonPrivate);
    }

    static DpFedAvgTraining.Options federated(double z) {
        return new DpFedAvgTraining.Options(0.5, z, null, null, Conversion.ORIGINAL, 6, 8, 1, 5, 0.1, 1, 0.5, 1, true,
                false);
    }

    /**
     * A federated point whose rounds are run by the caller (as the aggregator does, each user's update computed
     * apart from the server on the point's federated data, as a client-update replica does) is the point runPoint
     * gives: seeded sampling and noise, the updates summed in drawn order whatever order they came in.
     */
    @Test
    void aFederatedPointRunRoundByRoundEqualsThePointRunWhole() {
        Examples lab = Examples.of(DatasetLoader.load("bundled:lab", WriterPartition.Options.DEFAULT));
        Examples test = Examples.of(DatasetLoader.load("bundled:field", WriterPartition.Options.DEFAULT)).subset(100, 2);
        FairnessSweep.Options o = new FairnessSweep.Options(MinorityGroup.parse("class:8"), List.of(0.9),
                List.of(FairnessSweep.Setting.federated("DP-FedAvg z=1", federated(1.0))), 200,
                Dl4jModels.Model.TUTORIAL, Activation.Function.TANH, 4, 10);
        FairnessSweep.Point whole = FairnessSweep.runPoint(lab, test, o, 0);

        FairnessSweep.FederatedPoint run = new FairnessSweep.FederatedPoint(lab, test, o, 0);
        FairnessSweep.FederatedData data = FairnessSweep.federatedData(lab, o, 0); // a worker's own copy
        assertEquals(20, data.users().length, "200 examples in users of 10");
        dev.fedgan.core.dpsgd.Network worker = FairnessSweep.network(data.train(), o);
        int rounds = 0;
        while (!run.server().finished()) {
            DpFedAvgTraining.Round r = run.server().begin();
            float[] weights = run.server().weights();
            float[][] updates = new float[r.users().length][];
            for (int k = r.users().length - 1; k >= 0; k--) { // computed in reverse, as if they came so
                updates[k] = DpFedAvgTraining.localUpdate(worker, weights, data.train(), data.users()[r.users()[k]],
                        data.federated(), r.seeds()[k]);
            }
            run.server().finish(r, updates);
            rounds++;
        }
        assertEquals(8, rounds);
        FairnessSweep.Point split = run.finish();
        assertEquals(whole.overall().accuracy(), split.overall().accuracy(), 0);
        assertEquals(java.util.Arrays.deepToString(whole.overall().confusion()),
                java.util.Arrays.deepToString(split.overall().confusion()));
        assertEquals(whole.groupNorms().get(1).meanNorm(), split.groupNorms().get(1).meanNorm(), 0);
        assertEquals(whole.privacy(), split.privacy());
        assertThrows(IllegalArgumentException.class, () -> FairnessSweep.federatedData(lab, new FairnessSweep.Options(
                o.group(), o.shares(), List.of(new FairnessSweep.Setting("SGD", options(1.0, false))), 200, o.model(),
                o.activation(), 4, 10), 0));
    }

    @Test
    void aSmallSweepMeasuresEachGroupAndStatesEachDpPointsEpsilon() throws Exception {
        Examples lab = Examples.of(DatasetLoader.load("bundled:lab", WriterPartition.Options.DEFAULT));
        Examples field = Examples.of(DatasetLoader.load("bundled:field", WriterPartition.Options.DEFAULT));
        // 300 training examples; the test set is 200 field examples.
        Examples test = field.subset(200, 2);
        FairnessSweep.Options o = new FairnessSweep.Options(MinorityGroup.parse("class:8"), List.of(1.0, 0.9),
                List.of(new FairnessSweep.Setting("non-private", options(null, true)),
                        new FairnessSweep.Setting("DP-SGD z=1", options(1.0, false)),
                        FairnessSweep.Setting.federated("DP-FedAvg z=1", federated(1.0))),
                300, Dl4jModels.Model.TUTORIAL, Activation.Function.TANH, 4, 10);
        List<FairnessSweep.Point> points = FairnessSweep.run(lab, test, o, dev.fedgan.core.progress.Progress.NONE);
        assertEquals(6, points.size());
        int eights = 0;
        for (int y : test.labels()) {
            eights += y == 8 ? 1 : 0;
        }
        for (FairnessSweep.Point p : points) {
            if (p.setting().startsWith("DP-FedAvg")) {
                // 300 examples in users of 10, each of one group: 30 users at either share (270 + 30 at 0.9).
                DpSgdPrivacy d = p.privacy();
                assertEquals(30, d.examples(), "users");
                assertEquals(6.0 / 30, d.q(), 1e-15);
                assertEquals(8, d.steps(), "rounds");
                assertEquals(dev.fedgan.core.dpsgd.DpFedAvgTraining.UNIT, d.unit());
                PrivacyEstimate e = PrivacyCalculator.forPopulation(30, 6, 1.0, 8, d.delta());
                assertEquals(e.epsilonOriginal(), d.epsilonOriginal(), 1e-12 * e.epsilonOriginal());
                // The group figures are per test user: 200 test examples in users of 10 per group.
                assertEquals((eights + 9) / 10, p.groupNorms().get(1).examples());
                assertEquals((200 - eights + 9) / 10, p.groupNorms().get(0).examples());
                double share = p.groupNorms().get(0).shareOverClip();
                assertTrue(share >= 0 && share <= 1, "a share of users: " + share);
                assertTrue(Double.isNaN(p.classNorms().get(0).shareOverClip()), "no per-example clip in FedAvg");
                assertEquals(200, p.overall().examples());
                continue;
            }
            assertEquals(300, p.trainExamples());
            assertEquals(p.share() == 1.0 ? 0 : 30, p.minorityExamples());
            assertEquals(200, p.overall().examples());
            assertEquals(eights, p.minority().examples());
            assertEquals(p.overall().accuracy() * 200,
                    p.majority().accuracy() * (200 - eights) + p.minority().accuracy() * eights, 1e-9);
            assertEquals(10, p.classNorms().size());
            assertEquals(eights, p.classNorms().get(8).examples());
            assertTrue(p.groupNorms().get(1).meanNorm() > 0);
            if (p.setting().equals("non-private")) {
                assertNull(p.privacy());
            } else {
                DpSgdPrivacy d = p.privacy();
                assertNotNull(d);
                // The accountant's ε for the q, z and steps the run reports, as fedgan privacy epsilon computes it.
                assertEquals(64.0 / 300, d.q(), 1e-15);
                assertEquals(PrivacyCalculator.stepsForEpochs(300, 64, 1), d.steps());
                PrivacyEstimate e = PrivacyCalculator.estimate(null, null, d.q(), 1.0, d.steps(), d.delta(), null);
                assertEquals(e.epsilonOriginal(), d.epsilonOriginal(), 1e-12 * e.epsilonOriginal());
            }
        }

        FairnessFiles.write(tmp, o, 300, points);
        List<String> rows = Files.readAllLines(tmp.resolve(FairnessFiles.POINTS_CSV));
        assertEquals(FairnessFiles.POINTS_HEADER, rows.get(0));
        assertEquals(1 + 6 * 3, rows.size(), "a row per point and group");
        assertTrue(rows.get(15).startsWith("0.9,DP-SGD z=1,minority," + eights + ","), rows.get(15));
        assertTrue(rows.get(18).startsWith("0.9,DP-FedAvg z=1,minority," + eights + ","), rows.get(18));
        assertEquals(1 + 6 * 10, Files.readAllLines(tmp.resolve(FairnessFiles.CLASSES_CSV)).size());
        assertTrue(Files.size(tmp.resolve(FairnessFiles.CHART)) > 1000);
        assertTrue(Files.readString(tmp.resolve(FairnessFiles.JSON)).contains("\"epsilon_original\""));
        String html = Files.readString(tmp.resolve(FairnessFiles.HTML));
        assertTrue(html.contains("<td>0.9</td><td>DP-SGD z=1</td>"), html);
        assertTrue(html.contains("(one user)</td>"), html);
        assertTrue(html.contains("src=\"fairness.png\""), html);
    }

    @Test
    void absurdSweepsAreRefusedBeforeTraining() {
        Examples lab = Examples.of(DatasetLoader.load("bundled:lab", WriterPartition.Options.DEFAULT));
        FairnessSweep.Options tooBig = new FairnessSweep.Options(MinorityGroup.parse("class:8"), List.of(1.0, 0.5),
                List.of(new FairnessSweep.Setting("non-private", options(null, true))), 100_000,
                Dl4jModels.Model.TUTORIAL, Activation.Function.TANH, 1, 20);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FairnessSweep.checkedSize(lab, tooBig));
        assertTrue(e.getMessage().contains("cannot give 100000 training examples at every share"), e.getMessage());
        FairnessSweep.Options badBatch = new FairnessSweep.Options(MinorityGroup.parse("inverted"), List.of(1.0),
                List.of(new FairnessSweep.Setting("DP", new DpSgdTraining.Options(1.0, 1.0, null, null,
                        Conversion.ORIGINAL, 1_000_000, 1, 0.1, 0, 256, 1, true, false))), 0,
                Dl4jModels.Model.TUTORIAL, Activation.Function.TANH, 1, 20);
        e = assertThrows(IllegalArgumentException.class, () -> FairnessSweep.checkedSize(lab, badBatch));
        assertTrue(e.getMessage().startsWith("setting DP: the expected batch 1000000 exceeds"), e.getMessage());
        FairnessSweep.Options fewUsers = new FairnessSweep.Options(MinorityGroup.parse("class:8"), List.of(1.0, 0.9),
                List.of(FairnessSweep.Setting.federated("FL", new DpFedAvgTraining.Options(0.5, 1.0, null, null, null,
                        40, 8, 1, 5, 0.1, 1, 0, 1, true, false))), 300, Dl4jModels.Model.TUTORIAL,
                Activation.Function.TANH, 1, 10);
        e = assertThrows(IllegalArgumentException.class, () -> FairnessSweep.checkedSize(lab, fewUsers));
        assertEquals("setting FL: the expected 40 users per round exceed the 30 users", e.getMessage());
    }
}

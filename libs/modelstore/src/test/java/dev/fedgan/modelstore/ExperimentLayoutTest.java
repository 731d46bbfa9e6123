package dev.fedgan.modelstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The object keys, spelled out: stored objects of earlier runs must still be found after any change here. */
class ExperimentLayoutTest {

    @Test
    void aGansObjectsLiveUnderItsNamespace() {
        String ns = ExperimentLayout.namespace("e1", "low_accuracy");
        assertEquals("e1.low_accuracy", ns);
        assertEquals("experiments/e1.low_accuracy/generator/round-00007-", ExperimentLayout.weights(ns, "generator", 7));
        assertEquals("experiments/e1.low_accuracy/deltas/round-00012/w03-00112233445566778899aabbccddeeff.delta",
                ExperimentLayout.delta(ns, 12, "w03", "00112233445566778899aabbccddeeff"));
        assertEquals("experiments/e1.low_accuracy/deltas/", ExperimentLayout.deltas(ns));
        assertEquals("experiments/e1.low_accuracy/checkpoints/round-00100-", ExperimentLayout.checkpoint(ns, 100));
        assertEquals("aggregator/runs/e1.low_accuracy.json", ExperimentLayout.runRecord(ns));
    }

    @Test
    void aDeltaIsNamedByItsClientAndARandomNonceAndFoundByItsRound() {
        String ns = "e1.low_accuracy";
        String key = ExperimentLayout.delta(ns, 12, "w03", "00112233445566778899aabbccddeeff");
        assertEquals(12, ExperimentLayout.deltaRound(ns, key));
        // as an earlier version named them (the delta's SHA-256 prefix): still found, so that they are deleted
        assertEquals(3, ExperimentLayout.deltaRound(ns, "experiments/e1.low_accuracy/deltas/round-00003/w03-0123456789abcdef.delta"));
        assertEquals(-1, ExperimentLayout.deltaRound("e1.high_accuracy", key), "another namespace");
        assertEquals(-1, ExperimentLayout.deltaRound(ns, "experiments/e1.low_accuracy/critic/round-00012-0123456789abcdef.zip"));
        for (String bad : new String[] {null, "", "0123456789abcdef", "00112233445566778899AABBCCDDEEFF",
                "00112233445566778899aabbccddeeff00", "../00112233445566778899aabbccddee"}) {
            assertThrows(IllegalArgumentException.class, () -> ExperimentLayout.delta(ns, 12, "w03", bad), bad);
        }
    }

    @Test
    void filesAndServiceStateLiveUnderTheExperiment() {
        assertEquals("experiments/e1/files/gans/low_accuracy/rounds.csv",
                ExperimentLayout.file("e1", "gans/low_accuracy/rounds.csv"));
        assertEquals("experiments/e1/files/", ExperimentLayout.files("e1"));
        assertEquals("experiments/e1/filter/populations.json", ExperimentLayout.filterRecord("e1"));
        assertEquals("experiments/e1/render/high_accuracy/state.json",
                ExperimentLayout.render("e1", "high_accuracy", "state.json"));
        assertEquals("experiments/e1/render/high_accuracy/pending/round-00003.json",
                ExperimentLayout.parkedRound("e1", "high_accuracy", 3));
        assertEquals("experiments/e1/render/high_accuracy/pending/", ExperimentLayout.parkedRounds("e1", "high_accuracy"));
    }

    @Test
    void theSimulationsGroundTruthLivesApartFromTheReleasedFiles() {
        assertEquals("experiments/e1/simulation/populations/by_user/acc_lt0p25/client_ids.csv",
                ExperimentLayout.simulation("e1", "populations/by_user/acc_lt0p25/client_ids.csv"));
        assertEquals("experiments/e1/simulation/", ExperimentLayout.simulations("e1"));
        assertEquals("simulation/", ExperimentLayout.SIMULATION);
        // Not under files/: what fedgan fetch copies by default never includes it.
        assertFalse(ExperimentLayout.simulation("e1", "README.txt").startsWith(ExperimentLayout.files("e1")));
        assertThrows(IllegalArgumentException.class, () -> ExperimentLayout.simulation("e1", "../files/report.html"));
    }

    @Test
    void namesFromMessagesCannotLeaveTheirExperiment() {
        assertThrows(IllegalArgumentException.class, () -> ExperimentLayout.file("e1", "../e2/files/report.html"));
        assertThrows(IllegalArgumentException.class, () -> ExperimentLayout.file("e1", "/report.html"));
        assertThrows(IllegalArgumentException.class, () -> ExperimentLayout.experiment("../e2"));
        assertThrows(IllegalArgumentException.class, () -> ExperimentLayout.namespace("e1", "a/b"));
        assertThrows(IllegalArgumentException.class, () -> ExperimentLayout.delta("e1.x", -1, "w1", "0".repeat(32)));
        assertThrows(IllegalArgumentException.class, () -> ExperimentLayout.delta("e1.x", 1, "../w1", "0".repeat(32)));
        assertThrows(IllegalArgumentException.class, () -> ExperimentLayout.render("e1", "gan", "pending/"));
    }

    @Test
    void sharesAreKeyedByRoundPlanAndPartitionAndRecognised() {
        String key = ExperimentLayout.share("e1.high", 12, "a1b2", 3);
        assertEquals("experiments/e1.high/shares/round-00012/a1b2-p3.share", key);
        assertEquals(12, ExperimentLayout.shareRound("e1.high", key));
        assertEquals(-1, ExperimentLayout.shareRound("e1.low", key), "another namespace");
        assertEquals(-1, ExperimentLayout.shareRound("e1.high", ExperimentLayout.deltas("e1.high") + "round-00012/x.delta"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ExperimentLayout.share("e1.high", 1, "../x", 0));
    }
}

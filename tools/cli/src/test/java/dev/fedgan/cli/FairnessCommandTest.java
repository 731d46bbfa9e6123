package dev.fedgan.cli;

import static dev.fedgan.cli.FedganCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fedgan.core.fairness.FairnessFiles;
import dev.fedgan.core.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 'fedgan fairness' as a user meets it: a small sweep on the bundled digits, and absurd settings refused. */
class FairnessCommandTest {

    @TempDir
    Path tmp;

    @Test
    void aSmallSweepWritesEveryPointAndStatesTheCalculatorsEpsilon() throws Exception {
        Path out = tmp.resolve("f");
        FedganCliTest.Run r = run("fairness", "--minority", "inverted", "--shares", "1,0.8", "--size", "200",
                "--test-examples", "100", "--epochs", "1", "--batch", "50", "-z", "1.0", "--reproducible",
                "--examples-per-user", "10", "--users-per-round", "5", "--rounds", "3", "--out", out.toString(),
                "--json", "-q");
        assertEquals(0, r.status(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertEquals("inverted images", j.get("minority_group").asText());
        JsonNode points = j.get("points");
        assertEquals(6, points.size(), "2 shares x (non-private, DP-SGD z 1.0, DP-FedAvg z 1.0)");
        assertEquals(40, points.get(3).get("minority_examples").asInt(), "20% of 200 inverted at share 0.8");
        assertEquals(100, points.get(3).get("minority").get("examples").asInt(), "the test set inverted");
        JsonNode p = points.get(4).get("privacy");
        FedganCliTest.Run calc = run("privacy", "epsilon", "--q", p.get("q").asText(), "-z", "1.0", "--rounds",
                p.get("steps").asText(), "--delta", p.get("delta").asText(), "--json");
        assertEquals(Json.MAPPER.readTree(calc.out()).get("epsilon_original").asDouble(),
                p.get("epsilon_original").asDouble(), 1e-12, "the point's epsilon is fedgan privacy epsilon's");
        // DP-FedAvg's guarantee: 200 examples in users of 10 (160 + 40 at share 0.8), m = 5 of 20, 3 rounds.
        JsonNode fl = points.get(5);
        assertEquals("DP-FedAvg z 1.0", fl.get("setting").asText());
        JsonNode u = fl.get("privacy");
        assertTrue(u.get("unit").asText().startsWith("one user"), u.toString());
        assertEquals(0.25, u.get("q").asDouble(), 0);
        FedganCliTest.Run users = run("privacy", "epsilon", "--population", "20", "--clients-per-round", "5", "-z", "1.0",
                "--rounds", "3", "--delta", u.get("delta").asText(), "--json");
        assertEquals(0, users.status(), users.err());
        assertEquals(Json.MAPPER.readTree(users.out()).get("epsilon_original").asDouble(),
                u.get("epsilon_original").asDouble(), 1e-12, "the user-level epsilon is fedgan privacy epsilon's");
        List<String> csv = Files.readAllLines(out.resolve(FairnessFiles.POINTS_CSV));
        assertEquals(19, csv.size(), "header + 6 points x 3 groups");
        assertTrue(Files.size(out.resolve(FairnessFiles.CHART)) > 1000);

        FedganCliTest.Run human = run("fairness", "--shares", "1", "--size", "100", "--test-examples", "50",
                "--epochs", "0.5", "--batch", "50", "--modes", "dp-sgd", "--target-epsilons", "5", "--mitigation",
                "--reproducible", "--out", tmp.resolve("h").toString(), "--json", "-q");
        assertEquals(0, human.status(), human.err());
        JsonNode both = Json.MAPPER.readTree(human.out()).get("points");
        assertEquals("DP-SGD eps 5.0", both.get(0).get("setting").asText());
        assertEquals("DPSGD-F eps 5.0", both.get(1).get("setting").asText());
        assertEquals(both.get(0).get("privacy").get("epsilon_original").asDouble(),
                both.get(1).get("privacy").get("epsilon_original").asDouble(), 0, "the mitigation at the same epsilon");
        assertTrue(both.get(1).get("privacy").get("noise").asText().contains("DPSGD-F"));
    }

    @Test
    void absurdSweepsFailBeforeTrainingWithOneLine() {
        for (String[] args : List.of(
                new String[] {"--shares", "1,1.5"},
                new String[] {"--minority", "left-handed"},
                new String[] {"--size", "1000000"},
                new String[] {"-z", "1", "--target-epsilons", "3"},
                new String[] {"--batch", "100000"},
                new String[] {"--modes", "dp-sgd,federated"},
                new String[] {"--modes", "non-private", "--mitigation"},
                new String[] {"--users-per-round", "100000"},
                new String[] {"--examples-per-user", "0"})) {
            String[] all = new String[args.length + 3];
            System.arraycopy(new String[] {"fairness", "--out", tmp.resolve("x").toString()}, 0, all, 0, 3);
            System.arraycopy(args, 0, all, 3, args.length);
            FedganCliTest.Run r = run(all);
            assertNotEquals(0, r.status(), String.join(" ", args));
            assertEquals(1, r.err().lines().count(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("fedgan: error: "), r.err());
        }
        assertTrue(Files.notExists(tmp.resolve("x")), "nothing written");
    }
}

package dev.fedgan.cli;

import static dev.fedgan.cli.FedganCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fedgan.core.dpsgd.PrivateClassifier;
import dev.fedgan.core.io.Json;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 'fedgan dpsgd train' as a user meets it, on the bundled digits with few steps. */
class DpSgdCommandTest {

    @TempDir
    Path tmp;

    @Test
    void trainsOnTheBundledDigitsAndStatesWhatTheAccountantSays() throws Exception {
        Path out = tmp.resolve("dp");
        FedganCliTest.Run r = run("dpsgd", "train", "--data", "bundled:lab", "--epochs", "0.4", "--batch", "64",
                "-z", "1.0", "--clip", "1.0", "--learning-rate", "0.5", "--reproducible", "--out", out.toString(),
                "--json", "-q");
        assertEquals(0, r.status(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        JsonNode p = j.get("provenance").get("privacy");
        assertEquals(38, p.get("steps").asLong(), "ceil(0.4 * 6000 / 64)");
        assertEquals(64.0 / 6000, p.get("q").asDouble(), 0);

        FedganCliTest.Run calc = run("privacy", "epsilon", "--q", Double.toString(64.0 / 6000), "-z", "1.0",
                "--rounds", "38", "--delta", "1e-5", "--json");
        JsonNode c = Json.MAPPER.readTree(calc.out());
        assertEquals(c.get("epsilon_original").asDouble(), p.get("epsilon_original").asDouble(), 1e-12,
                "the run's epsilon is fedgan privacy epsilon's for its q, z and steps");
        assertEquals(c.get("epsilon_improved").asDouble(), p.get("epsilon_improved").asDouble(), 1e-12);

        JsonNode saved = Json.MAPPER.readTree(out.resolve("classifier.json").toFile());
        assertEquals(p, saved.get("privacy"), "classifier.json carries the guarantee");
        assertTrue(saved.get("test_accuracy").asDouble() > 0.2, "learns something: " + saved.get("test_accuracy"));
        List<String> csv = Files.readAllLines(out.resolve(PrivateClassifier.EPOCHS_FILE));
        assertEquals(PrivateClassifier.EPOCHS_HEADER, csv.get(0));
        assertEquals(2, csv.size(), "one epoch (a partial one)");
        assertTrue(csv.get(1).startsWith("1,38,"), csv.get(1));
        BufferedImage png = ImageIO.read(out.resolve(PrivateClassifier.CHART_FILE).toFile());
        assertNotNull(png);
        assertEquals(960, png.getWidth());
        assertTrue(Files.size(out.resolve("model.zip")) > 10_000);

        FedganCliTest.Run human = run("dpsgd", "train", "--data", "bundled:lab", "--epochs", "0.05", "--batch", "64",
                "--target-epsilon", "2", "--reproducible", "--out", tmp.resolve("h").toString(), "-q");
        assertEquals(0, human.status(), human.err());
        assertTrue(human.out().contains("(chosen for target epsilon 2.000)"), human.out());
        assertTrue(human.out().contains("NOT private"), human.out());
    }

    @Test
    void absurdSettingsFailBeforeTrainingWithOneLine() {
        for (String[] args : List.of(
                new String[] {"--clip", "-1"},
                new String[] {"-z", "1", "--target-epsilon", "3"},
                new String[] {"--batch", "100000"},
                new String[] {"--model", "resnet"},
                new String[] {"--conversion", "best"},
                new String[] {"--delta", "0.001"})) {
            String[] all = new String[args.length + 6];
            System.arraycopy(new String[] {"dpsgd", "train", "--data", "bundled:lab", "--out", tmp.resolve("x").toString()},
                    0, all, 0, 6);
            System.arraycopy(args, 0, all, 6, args.length);
            FedganCliTest.Run r = run(all);
            assertNotEquals(0, r.status(), String.join(" ", args));
            assertEquals(1, r.err().lines().count(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("fedgan: error: "), r.err());
            assertTrue(!Files.exists(tmp.resolve("x")), "nothing written for " + String.join(" ", args));
        }
    }
}

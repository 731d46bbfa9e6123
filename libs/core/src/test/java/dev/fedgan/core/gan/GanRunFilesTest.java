package dev.fedgan.core.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.gan.eval.GanMetrics;
import dev.fedgan.core.progress.Progress;
import dev.fedgan.core.render.GridAnimation;
import dev.fedgan.core.render.ImageGrid;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-GAN files: their content, and the one-JVM run writing exactly that content. */
class GanRunFilesTest {

    @TempDir
    Path tmp;

    @Test
    void evaluationsCsvHasTheHeaderAndOneRowPerEvaluationWithEmptyCellsForMissingMetrics() {
        List<GanExperiment.Evaluation> evaluations = List.of(
                new GanExperiment.Evaluation(0, -0.5, GanMetrics.Polarity.NORMAL, null, null, 0, "images/a.png"),
                new GanExperiment.Evaluation(2, 0.25, GanMetrics.Polarity.INVERTED, 0.5, 12.5, 1.5, "images/b.png"));
        String csv = new String(GanRunFiles.evaluationsCsv(evaluations), StandardCharsets.UTF_8);
        assertEquals("round,mean_pixel,polarity,classifier_score,frechet_distance,epsilon,grid\n"
                + "0,-0.500000,NORMAL,,,0.00000,images/a.png" + System.lineSeparator()
                + "2,0.250000,INVERTED,0.500000,12.5000,1.50000,images/b.png" + System.lineSeparator(), csv);
    }

    @Test
    void theGifIsTheAnimationOfTheGridsAtTheRunsFrameTime() {
        BufferedImage grid = ImageGrid.grid(new float[784 * 4], 2, 2);
        Path file = tmp.resolve("expected.gif");
        GridAnimation.writeGif(List.of(grid, grid), List.of("round 0", "round 1"), file,
                GanRunFiles.GIF_FRAME_MILLIS);
        assertArrayEquals(readAll(file), GanRunFiles.gif(List.of(grid, grid), List.of("round 0", "round 1")));
    }

    @Test
    void theOneJvmRunWritesEveryPerGanFileWithTheseBytes() throws Exception {
        GanTrainingConfig config = FederatedGanTrainingTest.TINY.withRounds(1, 1);
        FederatedGanTraining training = FederatedGanTraining.start(config, FederatedGanTrainingTest.clients(), 1e-5, 3L);
        Path out = tmp.resolve("gan");
        GanExperiment.Result r = GanExperiment.run("gan", training, new GanExperiment.Options(null, null, null), out,
                Progress.NONE);

        assertEquals(2, r.evaluations().size(), "rounds 0 and 1");
        assertArrayEquals(GanRunFiles.evaluationsJson(r.evaluations()), readAll(out.resolve(GanRunFiles.EVALUATIONS)));
        assertArrayEquals(GanRunFiles.evaluationsCsv(r.evaluations()),
                readAll(out.resolve(GanRunFiles.EVALUATIONS_CSV)));
        assertArrayEquals(GanRunFiles.privacyJson(r.privacy()), readAll(out.resolve(GanRunFiles.PRIVACY)));
        List<BufferedImage> grids = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (GanExperiment.Evaluation e : r.evaluations()) {
            grids.add(javax.imageio.ImageIO.read(out.resolve(e.grid()).toFile()));
            captions.add(GanEvaluator.caption(e.round()));
        }
        assertArrayEquals(GanRunFiles.gif(grids, captions), readAll(out.resolve(GanRunFiles.GIF)));
        assertEquals(GanRunFiles.GIF, r.gif());
        List<String> rounds = Files.readAllLines(out.resolve(GanRunFiles.ROUNDS_CSV));
        assertEquals(GanRunFiles.ROUNDS_CSV_HEADER.strip(), rounds.get(0));
        assertEquals(2, rounds.size(), "header + 1 round");
    }

    @Test
    void roundsCsvHoldsOnlyTheRoundTheGeneratorLossAndEpsilonAndNoClientId() throws Exception {
        List<WriterData> population = FederatedGanTrainingTest.clients();
        GanTrainingConfig config = FederatedGanTrainingTest.TINY.withClients(6, 1).withRounds(3, 3);
        FederatedGanTraining training = FederatedGanTraining.start(config, population, 1e-5, 3L);
        Path out = tmp.resolve("released");
        List<String> progressLines = new ArrayList<>();
        Progress progress = new Progress() {
            @Override
            public void start(String task, long total, String unit) {
            }

            @Override
            public void advance(long amount, String status) {
                progressLines.add(status);
            }

            @Override
            public void finish(String summary) {
                progressLines.add(summary);
            }
        };
        GanExperiment.run("gan", training, new GanExperiment.Options(null, null, null), out, progress);

        String csv = Files.readString(out.resolve(GanRunFiles.ROUNDS_CSV));
        List<String> lines = csv.lines().toList();
        assertEquals("round,generator_loss,epsilon,clip", lines.get(0), "the released columns, exactly");
        assertEquals(4, lines.size(), "header + 3 rounds");
        for (int i = 1; i < lines.size(); i++) {
            String[] cells = lines.get(i).split(",", -1);
            assertEquals(4, cells.length, lines.get(i));
            assertEquals(i, Integer.parseInt(cells[0]));
            Double.parseDouble(cells[1]);
            Double.parseDouble(cells[2]);
            assertEquals(config.clip(), Double.parseDouble(cells[3]), "a fixed clip");
        }
        for (WriterData w : population) {
            assertFalse(csv.contains(w.id()), "client id " + w.id() + " in rounds.csv:\n" + csv);
        }

        // The progress line shows the round (the bar's count), G loss and ε: no client's loss, count or id.
        assertEquals(4, progressLines.size(), progressLines.toString());
        for (int i = 0; i < 3; i++) {
            assertTrue(progressLines.get(i).matches("G loss -?[0-9.]+ · ε [0-9.e+-]+ · mean pixel [+-][0-9.]+"),
                    progressLines.get(i));
        }
        for (String line : progressLines) {
            assertFalse(line.contains("D loss"), line);
            for (WriterData w : population) {
                assertFalse(line.contains(w.id()), line);
            }
        }
    }

    @Test
    void aStoredRoundsCsvOfAnEarlierVersionIsReducedToTheReleasedColumns() {
        String old = "round,seconds,critic_loss,generator_loss,epsilon,received,clipped,rejected_non_finite,"
                + "pre_clip_norm_median,clients\n"
                + "1,0.512,-0.25,0.75,1.5,2,1,0,0.3,f0001 f0002\n"
                + "2,0.498,-0.5,0.5,2.5,0,0,0,,\n";
        assertEquals(List.of("1,0.75,1.5,\n", "2,0.5,2.5,\n"), GanRunFiles.roundsCsvRows(old));
        assertEquals(List.of("3,0.25,4,0.1\n"),
                GanRunFiles.roundsCsvRows(GanRunFiles.ROUNDS_CSV_HEADER + "3,0.25,4,0.1\n"));
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

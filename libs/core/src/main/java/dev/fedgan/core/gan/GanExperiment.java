package dev.fedgan.core.gan;

import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.gan.eval.GanMetrics;
import dev.fedgan.core.io.FileTrees;
import dev.fedgan.core.privacy.PrivacyStatement;
import dev.fedgan.core.progress.Progress;
import dev.fedgan.core.render.ImageGrid;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Trains one DP federated GAN on one population and keeps what a person needs to judge it, under
 * {@code <out>/}: a 6×6 grid of generated images at round 0, every {@code imagesEvery} rounds and at the end
 * ({@code images/gen_images_step_00040.png}, the reference's naming), an animated {@code grids.gif},
 * {@code rounds.csv} (one row per round), {@code evaluations.json} and {@code evaluations.csv} (mean pixel,
 * polarity, classifier score and Fréchet classifier distance when a classifier is given), {@code privacy.json},
 * and checkpoints (first and latest kept, as the reference does). The per-GAN files' names and content come from
 * {@link GanRunFiles}, which the image-render service uses too, so both write the same bytes.
 *
 * <p>Evaluation draws 500 images from fixed noise. The generator runs with the batch statistics of those 500
 * images rather than its moving statistics: with momentum 0.999 the moving statistics need thousands of
 * generator steps to settle, longer than a CPU run, and both agree once they have.
 */
public final class GanExperiment {

    public static final int EVAL_BATCH = 500;

    /** One evaluation of the generator. */
    public record Evaluation(int round, double meanPixel, GanMetrics.Polarity polarity, Double classifierScore,
            Double frechetDistance, double epsilon, String grid) {
    }

    /**
     * The outcome of a run; it goes into the released report, so it holds no wall time (how long training took
     * grows with the number of clients sampled).
     */
    public record Result(String name, int population, int rounds, String stoppedBecause, Evaluation last,
            List<Evaluation> evaluations, PrivacyStatement privacy, String randomness, String gif) {
    }

    /**
     * @param targetEpsilon stop before a round would take ε above this (null: no target)
     * @param classifier    for the classifier score and FCD (null: skipped)
     * @param realImages    real, non-inverted test images for the FCD (at least 2; null: skipped)
     */
    public record Options(Double targetEpsilon, PrimaryClassifier classifier, float[] realImages) {
        public Options {
            if (targetEpsilon != null && !(targetEpsilon > 0)) {
                throw new IllegalArgumentException("target epsilon must be > 0, got " + targetEpsilon);
            }
        }
    }

    private GanExperiment() {
    }

    public static Result run(String name, FederatedGanTraining training, Options options,
            Path out, Progress progress) {
        try {
            return runOrThrow(name, training, options, out, progress);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the results of GAN '" + name + "' under " + out + ": " + e.getMessage(), e);
        }
    }

    private static Result runOrThrow(String name, FederatedGanTraining training, Options options, Path out,
            Progress progress) throws IOException {
        GanTrainingConfig c = training.config();
        Files.createDirectories(out.resolve("images"));
        Path csv = out.resolve(GanRunFiles.ROUNDS_CSV);
        if (training.round() == 0 || !Files.exists(csv)) {
            Files.writeString(csv, GanRunFiles.ROUNDS_CSV_HEADER, StandardCharsets.UTF_8);
        } else {
            // resumed: the rows so far, in today's columns (an earlier version's file had per-client ones)
            String stored = Files.readString(csv, StandardCharsets.UTF_8);
            Files.writeString(csv, GanRunFiles.ROUNDS_CSV_HEADER + String.join("", GanRunFiles.roundsCsvRows(stored)),
                    StandardCharsets.UTF_8);
        }
        Evaluator evaluator = new Evaluator(c, options, out);
        List<Evaluation> evaluations = evaluator.evaluations;
        evaluator.evaluate(training);
        StopRule stopRule = StopRule.of(c, options.targetEpsilon());
        String stopped;
        progress.start(name, c.rounds() - training.round(), "rounds");
        Path firstCheckpoint = null;
        Path lastCheckpoint = null;
        while ((stopped = stopRule.beforeNextRound(training)) == null) {
            FederatedGanTraining.RoundReport r = training.runRound();
            Files.writeString(csv, GanRunFiles.roundsCsvRow(r), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            if (r.round() % c.imagesEvery() == 0 || r.round() == c.rounds()) {
                evaluator.evaluate(training);
            }
            if (r.round() % c.checkpointEvery() == 0 || r.round() == c.rounds()) {
                Path ckpt = out.resolve("checkpoints").resolve(String.format(Locale.ROOT, "ckpt_%04d", r.round()));
                GanCheckpoint.save(training, ckpt);
                if (firstCheckpoint == null) {
                    firstCheckpoint = ckpt;
                } else if (lastCheckpoint != null && !lastCheckpoint.equals(firstCheckpoint)) {
                    FileTrees.delete(lastCheckpoint);
                }
                lastCheckpoint = ckpt;
            }
            Evaluation e = evaluations.get(evaluations.size() - 1);
            // what a person watching sees: released values only, not the clients' own (critic) losses or counts
            progress.advance(1, String.format(Locale.ROOT, "G loss %.3f · ε %.3g · mean pixel %+.2f",
                    r.generatorLoss(), r.epsilon(), e.meanPixel()));
        }
        if (evaluations.get(evaluations.size() - 1).round() != training.round()) {
            evaluator.evaluate(training);
        }
        Evaluation last = evaluations.get(evaluations.size() - 1);
        progress.finish(String.format(Locale.ROOT, "%s: %d rounds, mean pixel %+.2f (%s), ε %.4g",
                name, training.round(), last.meanPixel(), last.polarity().name().toLowerCase(Locale.ROOT), last.epsilon()));
        Path gif = GanRunFiles.write(out, GanRunFiles.GIF, GanRunFiles.gif(evaluator.frames, evaluator.captions));
        PrivacyStatement privacy = training.privacy();
        GanRunFiles.write(out, GanRunFiles.PRIVACY, GanRunFiles.privacyJson(privacy));
        GanRunFiles.write(out, GanRunFiles.EVALUATIONS, GanRunFiles.evaluationsJson(evaluations));
        GanRunFiles.write(out, GanRunFiles.EVALUATIONS_CSV, GanRunFiles.evaluationsCsv(evaluations));
        return new Result(name, training.population(), training.round(), stopped, last, evaluations, privacy,
                training.randomnessDescription(), out.relativize(gif).toString());
    }

    /**
     * Evaluations of one run through {@link GanEvaluator} (the fixed eval noise, and the real images' logits for
     * the FCD, computed once since the real images never change), each grid written as a PNG and kept as a frame.
     */
    private static final class Evaluator {
        final List<Evaluation> evaluations = new ArrayList<>();
        final List<BufferedImage> frames = new ArrayList<>();
        final List<String> captions = new ArrayList<>();
        private final GanEvaluator evaluator;
        private final Path out;

        Evaluator(GanTrainingConfig c, Options options, Path out) {
            this.evaluator = new GanEvaluator(c.preset(), c.seed(), options.classifier(), options.realImages());
            this.out = out;
        }

        void evaluate(FederatedGanTraining training) {
            GanEvaluator.Drawn d = evaluator.draw(training.generator());
            String file = GanEvaluator.gridFile(training.round());
            ImageGrid.writePng(d.grid(), out.resolve(file));
            frames.add(d.grid());
            captions.add(GanEvaluator.caption(training.round()));
            evaluations.add(new Evaluation(training.round(), d.meanPixel(), d.polarity(), d.classifierScore(),
                    d.frechetDistance(), training.epsilon(), file));
        }
    }
}

package dev.fedgan.imagerender;

import dev.fedgan.core.gan.GanEvaluator;
import dev.fedgan.core.gan.GanExperiment;
import dev.fedgan.core.gan.GanRunFiles;
import dev.fedgan.core.gan.NetworkWeights;
import dev.fedgan.protocol.MessageException;
import dev.fedgan.protocol.ObjectRef;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Draws a GAN's rounds and writes its files as the one-JVM run does: the grid PNG, {@code evaluations.json|csv},
 * {@code grids.gif} and {@code privacy.json} under {@code gans/<gan>/}, their content from {@link GanEvaluator}
 * and {@link GanRunFiles}. The state is saved after each drawing, so a restart neither redraws nor loses a round.
 */
final class GanRenderer {

    private static final Logger LOG = Logger.getLogger(GanRenderer.class);

    private final Evaluators evaluators;
    private final StoredFiles files;
    private final RenderStateStore states;
    private final RenderMetrics metrics;

    GanRenderer(Evaluators evaluators, StoredFiles files, RenderStateStore states, RenderMetrics metrics) {
        this.evaluators = evaluators;
        this.files = files;
        this.states = states;
        this.metrics = metrics;
    }

    /**
     * Draws a round and stores the grid, the evaluations and the state. A generator that cannot be drawn, or draws
     * non-finite metrics, is refused before anything is stored: the message is rejected and the state untouched.
     */
    ObjectRef draw(RenderedGan gan, int round, NetworkWeights generator, double epsilon) {
        GanEvaluator.Drawn d;
        try {
            d = evaluators.of(gan).draw(generator);
        } catch (IllegalArgumentException e) {
            throw new MessageException("experiment " + gan.experiment() + " " + gan.name() + " round " + round
                    + ": the generator cannot be drawn: " + e.getMessage(), e);
        }
        if (!Double.isFinite(d.meanPixel()) || (d.classifierScore() != null && !Double.isFinite(d.classifierScore()))) {
            throw new MessageException("experiment " + gan.experiment() + " " + gan.name() + " round " + round
                    + ": non-finite metrics (mean pixel " + d.meanPixel() + ", classifier score " + d.classifierScore() + ")");
        }
        String file = GanEvaluator.gridFile(round);
        ObjectRef grid = files.putPng(gan.experiment(), gan.path(file), d.grid());
        GanState s = gan.state;
        s.record(new GanExperiment.Evaluation(round, d.meanPixel(), d.polarity(), d.classifierScore(),
                d.frechetDistance(), epsilon, file));
        files.put(gan.experiment(), gan.path(GanRunFiles.EVALUATIONS), GanRunFiles.evaluationsJson(s.evaluations));
        files.put(gan.experiment(), gan.path(GanRunFiles.EVALUATIONS_CSV), GanRunFiles.evaluationsCsv(s.evaluations));
        states.save(gan);
        metrics.rendered(gan, d);
        LOG.infof("experiment=%s gan=%s round=%d: mean pixel %+.3f (%s), classifier score %s, FCD %s, grid %s",
                gan.experiment(), gan.name(), round, d.meanPixel(), d.polarity().name().toLowerCase(Locale.ROOT),
                d.classifierScore(), d.frechetDistance(), grid.uri());
        return grid;
    }

    /**
     * The GAN's last files: the GIF of every grid drawn (read back from the store, so a restarted renderer animates
     * the rounds drawn before it) and the privacy statement; the state then records the GIF as written.
     *
     * @return the number of frames
     */
    int finish(RenderedGan gan) {
        GanState s = gan.state;
        List<BufferedImage> frames = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (GanExperiment.Evaluation e : s.evaluations) {
            frames.add(files.readImage(gan.experiment(), gan.path(e.grid())));
            captions.add(GanEvaluator.caption(e.round()));
        }
        files.put(gan.experiment(), gan.path(GanRunFiles.GIF), GanRunFiles.gif(frames, captions));
        files.put(gan.experiment(), gan.path(GanRunFiles.PRIVACY), GanRunFiles.privacyJson(gan.privacy()));
        s.gif = true;
        states.save(gan);
        return frames.size();
    }
}

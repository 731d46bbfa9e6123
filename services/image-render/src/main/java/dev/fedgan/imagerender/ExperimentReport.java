package dev.fedgan.imagerender;

import dev.fedgan.core.classifier.ClassifierProvenance;
import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.gan.GanExperiment;
import dev.fedgan.core.gan.GanRunFiles;
import dev.fedgan.core.gan.PopulationComparison;
import dev.fedgan.core.population.PopulationFilters;
import dev.fedgan.core.population.PrivateSelection;
import dev.fedgan.core.population.SelectionRelease;
import dev.fedgan.core.privacy.ExperimentPrivacy;
import dev.fedgan.core.report.DebugReport;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.PopulationReady;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The experiment's comparison of its two GANs, assembled from the store as {@code fedgan debug} assembles it in one
 * JVM: each GAN as a {@link PopulationComparison.Side} (its state, population and privacy), the last grids side by
 * side ({@code low_vs_high.png}), and {@code report.json|html} ({@link DebugReport}) with the classifier's
 * provenance and the private selection's release the filter stored ({@code selection/selection.json} and its noisy
 * histogram). Only released files are read: never the simulation's ground truth. The comparison and the report are
 * the core's; only where the inputs come from differs.
 */
final class ExperimentReport {

    /** The comparison and the stored {@code report.html}. */
    record Written(PopulationComparison.Comparison comparison, ObjectRef html, ExperimentPrivacy privacy) {
    }

    private final ObjectStore objects;
    private final StoredFiles files;
    private final Evaluators evaluators;

    ExperimentReport(ObjectStore objects, StoredFiles files, Evaluators evaluators) {
        this.objects = objects;
        this.files = files;
        this.evaluators = evaluators;
    }

    /** Compares the two finished GANs and stores the picture and the report. */
    Written write(RenderedGan low, RenderedGan high) {
        String id = low.experiment();
        SelectionRelease selection = files.readJson(id, SELECTION_JSON, SelectionRelease.class);
        PopulationComparison.Side lowSide = side("low-accuracy users", low, selection);
        PopulationComparison.Side highSide = side("high-accuracy users", high, selection);
        BufferedImage lowGrid = files.readImage(id, low.path(low.state.last().grid()));
        BufferedImage highGrid = files.readImage(id, high.path(high.state.last().grid()));
        PopulationComparison.Comparison[] cmp = new PopulationComparison.Comparison[1];
        ObjectRef[] html = new ObjectRef[1];
        DebugReport.Content[] content = new DebugReport.Content[1];
        StoredFiles.withTemp(dir -> {
            cmp[0] = PopulationComparison.compare(lowSide, highSide, lowGrid, highGrid, evaluators.of(low).scale(),
                    dir.resolve(PopulationComparison.SIDE_BY_SIDE));
            files.put(id, PopulationComparison.SIDE_BY_SIDE, dir.resolve(PopulationComparison.SIDE_BY_SIDE));
            content[0] = DebugReport.Content.of(cmp[0].verdict(), cmp[0].inversionFound(), provenance(low),
                    selection, files.exists(id, HISTOGRAM) ? HISTOGRAM : null, cmp[0]);
            DebugReport.write(dir, content[0]);
            files.put(id, DebugReport.JSON, dir.resolve(DebugReport.JSON));
            html[0] = files.put(id, DebugReport.HTML, dir.resolve(DebugReport.HTML));
        });
        return new Written(cmp[0], html[0], content[0].privacy());
    }

    /** The released selection and its noisy histogram, as {@code fedgan debug --out} has them. */
    static final String SELECTION_JSON = PrivateSelection.SELECTION_DIR + "/" + PrivateSelection.RELEASE_JSON;
    static final String HISTOGRAM = PrivateSelection.SELECTION_DIR + "/" + PrivateSelection.HISTOGRAM_PNG;

    /** One GAN as the comparison sees it: its population by its released size N̂, never its members. */
    private PopulationComparison.Side side(String label, RenderedGan gan, SelectionRelease selection) {
        GanState s = gan.state;
        PopulationReady p = gan.population;
        GanExperiment.Result result = new GanExperiment.Result(label, p.populationSize(), s.finishedRound,
                s.stoppedBecause, s.last(), List.copyOf(s.evaluations), gan.privacy(), gan.randomness(),
                GanRunFiles.GIF);
        return new PopulationComparison.Side(label, populationPath(p, selection), p.populationSize(), result);
    }

    /**
     * The population's name as {@code fedgan debug} gives it (by_user/acc_lt0p25), from the released threshold; the
     * GAN's name when the selection is not available.
     */
    static String populationPath(PopulationReady p, SelectionRelease selection) {
        if (selection == null) {
            return p.gan();
        }
        return switch (p.gan()) {
            case PopulationFilters.LOW_ACCURACY -> PopulationFilters.byUserPath(p.gan(), selection.thresholds().low());
            case PopulationFilters.HIGH_ACCURACY -> PopulationFilters.byUserPath(p.gan(), selection.thresholds().high());
            default -> p.gan();
        };
    }

    /** The classifier's provenance as the filter stored it, else that of the classifier loaded for drawing. */
    private ClassifierProvenance provenance(RenderedGan gan) {
        ClassifierProvenance stored = files.readJson(gan.experiment(), "classifier/" + PrimaryClassifier.PROVENANCE_FILE,
                ClassifierProvenance.class);
        if (stored != null) {
            return stored;
        }
        PrimaryClassifier c = evaluators.loaded(gan.population.request().classifier());
        return c == null ? null : c.provenance();
    }
}

package dev.fedgan.imagerender;

import static dev.fedgan.imagerender.CoreDrawings.PRESET;
import static dev.fedgan.imagerender.CoreDrawings.SEED;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.fedgan.core.classifier.ClassifierTraining;
import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.NetworkWeights;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.population.SelectionRelease;
import dev.fedgan.core.privacy.SelectionPrivacy;
import dev.fedgan.core.progress.Progress;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.service.StackResource;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Experiment r1 from start to report, run once for the tests that check it: the filter's files (a tiny classifier,
 * its provenance, the measurement, two by_user populations), then the aggregator's rounds. The low-accuracy GAN's
 * generator is made to draw inverted images (final bias +3), the high-accuracy one's normal images (−3), so the
 * verdict is a real "inversion found". On the way: a round before its population (parked), a population twice, a
 * duplicate round, and a renderer restart before the last round.
 */
final class TwoGanScenario {

    static final String ID = "r1";
    static final List<String> LOW_CLIENTS = List.of("f0000", "f0001", "f0002");
    static final List<String> HIGH_CLIENTS = List.of("f0003", "f0004", "f0005", "f0006");
    /** The populations' released noisy sizes N̂ (not their numbers of members). */
    static final int LOW_SIZE = 4;
    static final int HIGH_SIZE = 5;

    final Path tmp;
    final PrimaryClassifier classifier;
    final RenderTraffic traffic;
    /** What the core draws for the initial, the inverted (low) and the normal (high) generator. */
    final CoreDrawings.Drawn initial;
    final CoreDrawings.Drawn low;
    final CoreDrawings.Drawn high;
    /** The service's metrics before and after the scenario. */
    final String metricsBefore;
    final String metricsAfter;

    private TwoGanScenario(Path tmp, PrimaryClassifier classifier, RenderTraffic traffic, CoreDrawings.Drawn initial,
            CoreDrawings.Drawn low, CoreDrawings.Drawn high, String metricsBefore, String metricsAfter) {
        this.tmp = tmp;
        this.classifier = classifier;
        this.traffic = traffic;
        this.initial = initial;
        this.low = low;
        this.high = high;
        this.metricsBefore = metricsBefore;
        this.metricsAfter = metricsAfter;
    }

    private static TwoGanScenario done;

    /** The scenario's outcome, run on the first call. */
    static synchronized TwoGanScenario run(String bootstrap, ModelStore models, ObjectStore objects,
            ImageRenderService service, URL metrics) throws Exception {
        if (done == null) {
            done = play(bootstrap, models, objects, service, metrics);
        }
        return done;
    }

    private static TwoGanScenario play(String bootstrap, ModelStore models, ObjectStore objects,
            ImageRenderService service, URL metrics) throws Exception {
        Path tmp = Files.createTempDirectory("render-r1");
        String before = RenderTraffic.metrics(metrics);
        // ---- the filter's part: a tiny classifier and the files fedgan debug --out would hold
        FederatedDataset lab = DatasetLoader.load("bundled:lab", WriterPartition.Options.DEFAULT);
        PrimaryClassifier classifier = ClassifierTraining.train(
                lab.restrictTo("small", lab.byId().keySet().stream().limit(4).toList()),
                lab.restrictTo("test", lab.byId().keySet().stream().skip(90).limit(2).toList()),
                new ClassifierTraining.Options(1, 32, 1e-3, 0, 99), Progress.NONE);
        ObjectRef classifierRef = models.putClassifier(classifier);
        Json.write(tmp.resolve("classifier.json"), classifier.provenance());
        models.putFile(ID, "classifier/classifier.json", tmp.resolve("classifier.json"));
        double[] noisy = new double[20];
        java.util.Arrays.fill(noisy, 4.5);
        Json.write(tmp.resolve("selection.json"), new SelectionRelease(SelectionRelease.MECHANISM, 100, 0, 5, "seeded",
                false, new SelectionRelease.Histogram(20, 0.05, noisy),
                new SelectionRelease.Thresholds(0.42, "given", 0.97, "given"),
                List.of(new SelectionRelease.PopulationSize("low_accuracy", "accuracy < 0.42", 4.2, LOW_SIZE),
                        new SelectionRelease.PopulationSize("high_accuracy", "accuracy > 0.97", 3.9, HIGH_SIZE)),
                SelectionRelease.Privacy.of(SelectionPrivacy.of(5), 1e-5, true)));
        models.putFile(ID, "selection/selection.json", tmp.resolve("selection.json"));
        RenderTraffic t = new RenderTraffic(ID, bootstrap, models, objects);
        ObjectRef[] lowFiles = t.population(tmp, "acc_lt0p42", "low_accuracy", LOW_CLIENTS, 3);
        ObjectRef[] highFiles = t.population(tmp, "acc_gt0p97", "high_accuracy", HIGH_CLIENTS, 0);

        // ---- the aggregator's part: generators; low draws inverted digits, high normal ones
        NetworkWeights initial = GanNetworks.initialGenerator(PRESET, SEED);
        NetworkWeights inverted = CoreDrawings.withFinalBias(initial, 3f);
        NetworkWeights normal = CoreDrawings.withFinalBias(initial, -3f);
        ObjectRef low1 = models.putWeights("r1.low_accuracy", "generator", 1, initial);
        ObjectRef low2 = models.putWeights("r1.low_accuracy", "generator", 2, inverted);
        ObjectRef low3 = models.putWeights("r1.low_accuracy", "generator", 3, inverted);
        ObjectRef high1 = models.putWeights("r1.high_accuracy", "generator", 1, initial);
        ObjectRef high2 = models.putWeights("r1.high_accuracy", "generator", 2, normal);

        ExperimentRequest request = ExperimentRequest.builder().experimentId(ID).data("bundled:field")
                .classifier(classifierRef).invertProbability(0.5).bugSeed(7).gan(RenderTraffic.SETTINGS).build();
        // The released noisy sizes N̂ differ from the numbers of members: ε (the aggregator's and the report's) uses N̂.
        PopulationReady lowPop = new PopulationReady(1, ID, "low_accuracy", LOW_CLIENTS, LOW_SIZE, 1e-5, lowFiles[0],
                lowFiles[1], request);
        PopulationReady highPop = new PopulationReady(1, ID, "high_accuracy", HIGH_CLIENTS, HIGH_SIZE, 1e-5,
                highFiles[0], highFiles[1], request);
        int nLow = LOW_SIZE;
        int nHigh = HIGH_SIZE;
        String rounds = StackResource.TOPICS.rounds();
        String populations = StackResource.TOPICS.populations();
        try (t) {
            // 1. A round before its population: kept in the store, not lost.
            t.send(rounds, t.round("low_accuracy", 1, low1, false, RenderTraffic.SETTINGS, nLow));
            String parkedKey = ExperimentLayout.parkedRound(ID, "low_accuracy", 1);
            RenderTraffic.waitFor(() -> objects.exists(parkedKey), "round 1 parked at " + parkedKey);

            // 2. The populations (low twice: known once); each draws round 0, then the parked round 1.
            t.send(populations, lowPop);
            t.send(populations, lowPop);
            t.send(populations, highPop);
            t.collect(() -> t.count(i -> i.round() == 0) == 2 && t.count(i -> i.round() == 1) == 1);
            assertFalse(objects.exists(parkedKey), "the parked round is gone once rendered");

            // 3. The rest of training: high rounds 1, 2 (finished); low 2 (twice: drawn once), 3 (finished).
            t.send(rounds, t.round("high_accuracy", 1, high1, false, RenderTraffic.SETTINGS, nHigh));
            t.send(rounds, t.round("high_accuracy", 2, high2, true, RenderTraffic.SETTINGS, nHigh));
            t.send(rounds, t.round("low_accuracy", 2, low2, false, RenderTraffic.SETTINGS, nLow));
            t.send(rounds, t.round("low_accuracy", 2, low2, false, RenderTraffic.SETTINGS, nLow));
            t.collect(() -> t.count(i -> i.gan().equals("high_accuracy") && i.round() == 2) == 1
                    && t.count(i -> i.gan().equals("low_accuracy") && i.round() == 2) == 1);
            // As if the renderer restarted: the last round is drawn from the state in the store (GIF of 4 grids).
            service.evict(ID);
            t.send(rounds, t.round("low_accuracy", 3, low3, true, RenderTraffic.SETTINGS, nLow));
            t.collect(() -> t.announced.stream().anyMatch(i -> i.report() != null));
        }
        return new TwoGanScenario(tmp, classifier, t, CoreDrawings.coreDraw(initial, classifier),
                CoreDrawings.coreDraw(inverted, classifier), CoreDrawings.coreDraw(normal, classifier), before,
                RenderTraffic.metrics(metrics));
    }

    /** How much a counter grew during the scenario. */
    double grew(String series) {
        return RenderTraffic.sampleOrZero(metricsAfter, series) - RenderTraffic.sampleOrZero(metricsBefore, series);
    }
}

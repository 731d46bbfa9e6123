package dev.fedgan.cli;

import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.classifier.ClassifierTraining;
import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.data.DatasetException;
import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.gan.GanEvaluator;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.PopulationComparison;
import dev.fedgan.core.report.DebugReport;
import dev.fedgan.core.measure.MeasurementFiles;
import dev.fedgan.core.population.Population;
import dev.fedgan.core.population.PopulationSelection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "debug", mixinStandardHelpOptions = true,
        description = {"The debugging workflow in one JVM, without the services (on the bundled digits by default).",
            "",
            "  1. Train the primary classifier on the lab data (or load --classifier).",
            "  2. Give the inversion bug to a fraction p of the field writers; measure all.",
            "  3. Select the by_user (low/high accuracy) and by_example populations.",
            "  4. Train a DP federated GAN on each by_user population; compare them.",
            "",
            "by_user splits the writers by accuracy (below --low, above --high); by_example splits each writer's "
                + "examples into correctly and incorrectly classified ones. The GANs' drawings of the two by_user "
                + "populations, side by side, show what the failing writers' data looks like.",
            "",
            "Everything lands under --out: classifier/, measurement/ (CSV, JSON, histogram PNG), populations/, gans/ "
                + "(grids, GIFs, per-round CSV, checkpoints), low_vs_high.png and report.html / report.json.",
            ""})
final class DebugCommand implements Callable<Integer> {

    @Option(names = "--train-data", defaultValue = "bundled:lab", description = "Classifier training data. Default: ${DEFAULT-VALUE}.")
    String trainData;

    @Option(names = "--data", defaultValue = "bundled:field", description = "The users' data. Default: ${DEFAULT-VALUE}.")
    String data;

    @Option(names = "--classifier", description = "Use this saved classifier instead of training one.")
    Path classifier;

    @Option(names = {"-p", "--invert-probability"}, defaultValue = "0.5",
            description = "Chance that a writer got the buggy update. Default: ${DEFAULT-VALUE}.")
    double probability;

    @Option(names = "--bug-seed", defaultValue = "7", description = "Seed of who gets the bug. Default: ${DEFAULT-VALUE}.")
    long bugSeed;

    @Option(names = "--low", description = "Low-accuracy threshold. Default: the measured 25th percentile.")
    Double low;

    @Option(names = "--high", description = "High-accuracy threshold. Default: the measured 75th percentile.")
    Double high;

    @Option(names = "--min-num-examples", defaultValue = "5", description = "by_example minimum. Default: ${DEFAULT-VALUE}.")
    int minNumExamples;

    @Option(names = "--out", defaultValue = "fedgan-out", description = "Output directory. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--no-gans", description = "Stop after the populations (steps 1-3).")
    boolean noGans;

    @Mixin
    ClassifierCommand.TrainingOptions training;

    @Mixin
    GanOptions gan;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    Output output;

    @Override
    public Integer call() throws Exception {
        // Reject absurd parameters before any work starts.
        InversionBug bug = new InversionBug(probability, bugSeed);
        ClassifierTraining.Options trainingOptions = training.options();
        PopulationSelection.check(low, high, minNumExamples);
        GanTrainingConfig ganConfig = gan.config();

        FederatedDataset field = DatasetLoader.load(data, dataOptions.partition());
        PrimaryClassifier c;
        Path classifierDir = classifier != null ? classifier : out.resolve(PopulationSelection.CLASSIFIER_DIR);
        if (classifier != null) {
            c = PrimaryClassifier.load(classifier);
        } else {
            FederatedDataset[] split = ClassifierTraining.trainAndTest(trainData, null, 0.1, trainingOptions.seed(),
                    dataOptions.partition());
            c = ClassifierTraining.train(split[0], split[1], trainingOptions, output.progress());
            c.save(classifierDir);
        }
        Path measurementDir = out.resolve(PopulationSelection.MEASUREMENT_DIR);
        PopulationSelection.Result selected = PopulationSelection.run(c, classifierDir.toString(), field, bug, low, high,
                minNumExamples, out, output.progress());
        MeasurementFiles.Summary ms = selected.measured().summary();
        List<Population> pops = selected.populations();

        StringBuilder human = new StringBuilder();
        human.append(ClassifierCommand.describe(c.provenance(), classifierDir)).append("\n\n");
        human.append(MeasureCommand.describe(ms, measurementDir)).append("\n\n");
        Path popDir = out.resolve(PopulationSelection.POPULATIONS_DIR);
        List<Object> summaries = new ArrayList<>();
        for (Population p : pops) {
            human.append(FilterCommand.describe(p.summary(), popDir.resolve(p.path()))).append('\n');
            summaries.add(p.summary());
        }
        human.append("\nLook at ").append(measurementDir.resolve(MeasurementFiles.HISTOGRAM_PNG))
                .append(": two humps mean two kinds of users.");
        Map<String, Object> r = new LinkedHashMap<>();
        if (!noGans) {
            PopulationComparison.Comparison cmp = PopulationComparison.run(pops.get(0), pops.get(1), field, ganConfig,
                    gan.options(c, labImages(trainData)), gan.seededRandomness, out, output.progress());
            DebugReport.write(out, new DebugReport.Content(cmp.verdict(), cmp.inversionFound(), c.provenance(), ms,
                    out.relativize(measurementDir.resolve(MeasurementFiles.HISTOGRAM_PNG)).toString(),
                    pops.stream().map(Population::summary).toList(), cmp));
            human.append("\n\n").append(cmp.verdict()).append("\nPictures: ").append(out.resolve(cmp.picture()))
                    .append("\nReport:   ").append(out.resolve(DebugReport.HTML));
            r.put("verdict", cmp.verdict());
            r.put("inversion_found", cmp.inversionFound());
            r.put("gans", cmp);
        }
        r.put("out", out.toString());
        r.put("classifier", c.provenance());
        r.put("measurement", ms);
        r.put("populations", summaries);
        output.print(r, human.toString());
        return 0;
    }

    /** The FCD's real images (the lab data); null, with a warning, if that data is not readable here. */
    private static float[] labImages(String labData) {
        try {
            return GanEvaluator.labImages(labData);
        } catch (DatasetException e) {
            System.err.println("warning: the lab data " + labData + " is not readable here (" + e.getMessage()
                    + "); no Fréchet classifier distance");
            return null;
        }
    }
}

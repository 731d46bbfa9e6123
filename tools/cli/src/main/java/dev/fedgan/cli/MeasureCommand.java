package dev.fedgan.cli;

import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.measure.MeasurementFiles;
import dev.fedgan.core.measure.MeasurementRun;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "measure", mixinStandardHelpOptions = true,
        description = {"Apply the inversion bug to a fraction of the writers and measure the classifier on every writer.",
            "",
            "Writes the per-writer accuracy (CSV), the 100-bin histogram (PNG), the 25th/75th percentiles and the "
                + "overall accuracy (JSON).",
            "",
            "A simulation / lab tool: it computes every user's accuracy centrally, with no privacy mechanism, so its "
                + "output is per-user ground truth, not something to release. 'fedgan debug' and the services select "
                + "privately instead (docs/privacy.md, Population selection).",
            ""})
final class MeasureCommand implements Callable<Integer> {

    static final String DEFAULT_DIR = "fedgan-out/measurement";

    @Option(names = "--model", defaultValue = ClassifierCommand.DEFAULT_DIR, description = "Classifier directory. Default: ${DEFAULT-VALUE}.")
    Path model;

    @Option(names = "--data", defaultValue = "bundled:field", description = "The users' data. Default: ${DEFAULT-VALUE}.")
    String data;

    @Mixin
    BugOptions bug;

    @Option(names = "--out", defaultValue = DEFAULT_DIR, description = "Output directory. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    Output output;

    /** The bug's parameters, shared with 'debug'. */
    static final class BugOptions {
        @Option(names = {"-p", "--invert-probability"}, defaultValue = "0.0",
                description = "Chance that a writer got the buggy app update (all its images inverted). Default: ${DEFAULT-VALUE}.")
        double probability;

        @Option(names = "--bug-seed", defaultValue = "7", description = "Seed of who gets the bug. Default: ${DEFAULT-VALUE}.")
        long seed;

        InversionBug bug() {
            return new InversionBug(probability, seed);
        }
    }

    @Override
    public Integer call() {
        InversionBug b = bug.bug();
        PrimaryClassifier c = PrimaryClassifier.load(model);
        FederatedDataset field = DatasetLoader.load(data, dataOptions.partition());
        MeasurementRun r = MeasurementRun.run(c, model.toString(), field, b, out, output.progress());
        output.print(r.summary(), describe(r.summary(), out));
        return 0;
    }

    static String describe(MeasurementFiles.Summary s, Path out) {
        return String.format(Locale.ROOT, "measured %d writers (%d examples) of %s, %d inverted by the bug (p = %s): "
                        + "overall accuracy %.2f%%, 25th percentile %.4f, 75th percentile %.4f%n  written to %s (%s, %s, %s)",
                s.writers(), s.examples(), s.data(), s.invertedWriters(), s.invertProbability(), 100 * s.overallAccuracy(),
                s.percentile25(), s.percentile75(), out, MeasurementFiles.PER_WRITER, MeasurementFiles.SUMMARY,
                MeasurementFiles.HISTOGRAM_PNG);
    }
}

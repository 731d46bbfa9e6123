package dev.fedgan.cli;

import dev.fedgan.core.classifier.ClassifierProvenance;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.dpsgd.DpSgdTraining;
import dev.fedgan.core.dpsgd.PrivateClassifier;
import dev.fedgan.core.privacy.Conversion;
import dev.fedgan.core.privacy.DpSgdPrivacy;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "dpsgd", mixinStandardHelpOptions = true, subcommands = DpSgdCommand.Train.class,
        description = "Train a classifier with sample-level differential privacy (DP-SGD).")
final class DpSgdCommand {

    static final String DEFAULT_DIR = "fedgan-out/dpsgd";

    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Train a classifier with DP-SGD: every step draws each training example independently with "
                    + "probability q = B/n (Poisson sampling), clips each drawn example's gradient to L2 norm S, adds "
                    + "N(0, (zS)^2) from a secure source to the sum and divides by B. The RDP accountant charges "
                    + "ceil(epochs * n / B) steps; epsilon is reported under both conversions.",
                "",
                "DP-SGD protects one training example. DP-FedAvg (fedgan debug's GANs) protects one user: all of a "
                    + "user's examples.",
                "",
                "Writes the model (model.zip, classifier.json with the guarantee), epochs.csv and training.png "
                    + "(accuracy and epsilon per epoch) to --out.",
                ""})
    static final class Train implements Callable<Integer> {

        @Mixin
        ExampleDataOptions examples;

        @Mixin
        SgdOptions sgd;

        @Option(names = {"-S", "--clip"}, defaultValue = "1.0", paramLabel = "S",
                description = "Per-example gradient L2 bound. Default: ${DEFAULT-VALUE}.")
        double clip;

        @Option(names = {"-z", "--noise-multiplier"}, paramLabel = "z",
                description = "Noise standard deviation / S. Give this or --target-epsilon; neither means 1.1 (the "
                        + "TF Privacy tutorial's).")
        Double noiseMultiplier;

        @Option(names = "--target-epsilon", paramLabel = "EPS",
                description = "Choose z before training as the smallest keeping all planned steps within EPS (under "
                        + "--conversion); training stops before an epoch that would exceed it.")
        Double targetEpsilon;

        @Option(names = "--conversion", defaultValue = "original",
                description = "RDP-to-(epsilon, delta) conversion for the target and the headline: original (TF Privacy's "
                        + "tables) or improved. Both are reported. Default: ${DEFAULT-VALUE}.")
        String conversion;

        @Option(names = "--epochs", defaultValue = "15", description = "Passes over the data. Default: ${DEFAULT-VALUE}.")
        double epochs;

        @Option(names = "--physical-batch", defaultValue = "512",
                description = "Examples per forward/backward pass (memory only). Default: ${DEFAULT-VALUE}.")
        int physicalBatch;

        @Option(names = "--seed", defaultValue = "1", description = "Initialisation seed. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--reproducible",
                description = "Seed the sampling and the noise from --seed too: reproducible, NOT private.")
        boolean reproducible;

        @Option(names = "--non-private", description = "Ordinary mini-batch SGD (no clipping, no noise): the baseline.")
        boolean nonPrivate;

        @Option(names = "--out", defaultValue = DEFAULT_DIR, description = "Output directory. Default: ${DEFAULT-VALUE}.")
        Path out;

        @Mixin
        DataOptions dataOptions;

        @Mixin
        Output output;

        DpSgdTraining.Options options() {
            Double z = noiseMultiplier;
            if (z == null && targetEpsilon == null && !nonPrivate) {
                z = 1.1;
            }
            Conversion c = switch (conversion.toLowerCase(Locale.ROOT)) {
                case "original" -> Conversion.ORIGINAL;
                case "improved" -> Conversion.IMPROVED;
                default -> throw new IllegalArgumentException("--conversion must be original or improved, got " + conversion);
            };
            return new DpSgdTraining.Options(clip, nonPrivate ? null : z, nonPrivate ? null : targetEpsilon, sgd.delta,
                    c, sgd.batch, epochs, sgd.learningRate, sgd.momentum, physicalBatch, seed, reproducible, nonPrivate);
        }

        @Override
        public Integer call() throws Exception {
            DpSgdTraining.Options o = options();
            FederatedDataset[] split = examples.split(seed, dataOptions.partition());
            PrivateClassifier.Outcome outcome = PrivateClassifier.train(split[0], split[1], examples.model(),
                    examples.activation(), o, output.progress());
            PrivateClassifier.save(out, outcome);
            ClassifierProvenance p = outcome.classifier().provenance();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("directory", out.toString());
            r.put("provenance", p);
            r.put("epochs", outcome.result().epochs());
            r.put("stopped_early", outcome.result().stoppedEarly());
            output.print(r, describe(p, outcome.result(), out));
            return 0;
        }
    }

    static String describe(ClassifierProvenance p, DpSgdTraining.Result r, Path dir) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "test accuracy %.2f%% on %d examples of %s after %d epochs (%.0f s); model, epochs.csv and training.png in %s",
                100 * p.testAccuracy(), p.testExamples(), p.testData(), r.epochs().size(), p.trainSeconds(), dir));
        DpSgdPrivacy d = p.privacy();
        if (d == null) {
            b.append("\nnon-private: no guarantee");
        } else {
            b.append(String.format(Locale.ROOT, "%nepsilon %.3f (original conversion), %.3f (improved) at delta %.3g for %s:"
                            + "%n  %d steps, q = %d/%d = %.5f, clip S = %.4g, noise multiplier z = %.4f%s",
                    d.epsilonOriginal(), d.epsilonImproved(), d.delta(), d.unit(), d.steps(), d.expectedBatch(),
                    d.examples(), d.q(), d.clipNorm(), d.noiseMultiplier(),
                    d.targetEpsilon() == null ? "" : String.format(Locale.ROOT, " (chosen for target epsilon %.4g)",
                            d.targetEpsilon())));
            if (d.noise().startsWith("seeded")) {
                b.append("\n  reproducible mode: sampling and noise are seeded, so this run is NOT private");
            }
        }
        if (r.stoppedEarly() != null) {
            b.append('\n').append(r.stoppedEarly());
        }
        return b.toString();
    }
}

package dev.fedgan.cli;

import dev.fedgan.core.classifier.ClassifierProvenance;
import dev.fedgan.core.classifier.ClassifierTraining;
import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.FederatedDataset;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "classifier", description = "Train or evaluate the primary classifier (the model being debugged).",
        subcommands = {ClassifierCommand.Train.class, ClassifierCommand.Eval.class}, mixinStandardHelpOptions = true)
final class ClassifierCommand {

    static final String DEFAULT_DIR = "fedgan-out/classifier";

    /** Options shared by 'classifier train' and 'debug'. */
    static final class TrainingOptions {
        @Option(names = "--epochs", defaultValue = "5", description = "Passes over the training data. Default: ${DEFAULT-VALUE}.")
        int epochs;

        @Option(names = "--decay-epochs", defaultValue = "2",
                description = "Final epochs at a tenth of the learning rate (0 = constant, as the reference); the first "
                    + "epoch always runs at the full rate, so fewer epochs shorten the decay. Default: ${DEFAULT-VALUE}.")
        int decayEpochs;

        @Option(names = "--batch-size", defaultValue = "32", description = "Examples per Adam step. Default: ${DEFAULT-VALUE}.")
        int batchSize;

        @Option(names = "--learning-rate", defaultValue = "0.001", description = "Adam step size. Default: ${DEFAULT-VALUE}.")
        double learningRate;

        @Option(names = "--seed", defaultValue = "124578",
                description = "Initialisation and shuffling seed; same seed and data give the same weights. Default: ${DEFAULT-VALUE}.")
        long seed;

        ClassifierTraining.Options options() {
            return new ClassifierTraining.Options(epochs, batchSize, learningRate, Math.min(decayEpochs, Math.max(0, epochs - 1)), seed);
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = {"Train the reference CNN centrally on normal (non-inverted) data and save it with its "
                    + "provenance.",
                "",
                "Accuracy is reported on --test-data, or on a held-out fraction of the writers.",
                ""})
    static final class Train implements Callable<Integer> {

        @Option(names = "--data", defaultValue = "bundled:lab",
                description = "Training data (the team's own data before the app update). Default: ${DEFAULT-VALUE}.")
        String data;

        @Option(names = "--test-data", description = "Held-out data for the test accuracy. Default: bundled:field for "
                + "bundled training data, else --test-fraction of the writers.")
        String testData;

        @Option(names = "--test-fraction", defaultValue = "0.1",
                description = "Share of writers held out when no --test-data is given. Default: ${DEFAULT-VALUE}.")
        double testFraction;

        @Option(names = "--out", defaultValue = DEFAULT_DIR, description = "Where to save the classifier. Default: ${DEFAULT-VALUE}.")
        Path out;

        @Mixin
        TrainingOptions training;

        @Mixin
        DataOptions dataOptions;

        @Mixin
        Output output;

        @Override
        public Integer call() throws Exception {
            ClassifierTraining.Options o = training.options();
            FederatedDataset[] split = ClassifierTraining.trainAndTest(data, testData, testFraction, o.seed(),
                    dataOptions.partition());
            PrimaryClassifier c = ClassifierTraining.train(split[0], split[1], o, output.progress());
            c.save(out);
            output.print(result(c.provenance(), out), describe(c.provenance(), out));
            return 0;
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true, description = "Accuracy of a saved classifier on some data.")
    static final class Eval implements Callable<Integer> {

        @Option(names = "--model", defaultValue = DEFAULT_DIR, description = "Classifier directory. Default: ${DEFAULT-VALUE}.")
        Path model;

        @Option(names = "--data", defaultValue = "bundled:field", description = "Data to evaluate on. Default: ${DEFAULT-VALUE}.")
        String data;

        @Mixin
        DataOptions dataOptions;

        @Mixin
        Output output;

        @Override
        public Integer call() {
            PrimaryClassifier c = PrimaryClassifier.load(model);
            FederatedDataset d = DatasetLoader.load(data, dataOptions.partition());
            double acc = c.accuracy(d);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("model", model.toString());
            r.put("data", d.name());
            r.put("examples", d.numExamples());
            r.put("accuracy", acc);
            output.print(r, String.format(Locale.ROOT, "accuracy %.2f%% on %d examples of %s", 100 * acc, d.numExamples(), d.name()));
            return 0;
        }
    }

    static Map<String, Object> result(ClassifierProvenance p, Path dir) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("directory", dir.toString());
        r.put("provenance", p);
        return r;
    }

    static String describe(ClassifierProvenance p, Path dir) {
        return String.format(Locale.ROOT, "classifier saved to %s: %d classes, %d parameters, trained on %d examples of %s "
                        + "in %.0f s; test accuracy %.2f%% on %d held-out examples of %s",
                dir, p.numClasses(), p.parameters(), p.trainExamples(), p.trainData(), p.trainSeconds(),
                100 * p.testAccuracy(), p.testExamples(), p.testData());
    }
}

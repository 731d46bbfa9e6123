package dev.fedgan.cli;

import dev.fedgan.core.classifier.ClassifierTraining;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.dpsgd.Activation;
import dev.fedgan.core.dpsgd.Dl4jModels;
import picocli.CommandLine.Option;

/** The training and test data and the model of the commands that train a classifier on examples (DP-SGD). */
final class ExampleDataOptions {

    @Option(names = "--data", defaultValue = "bundled:lab",
            description = "Training data: bundled digits, an IDX image file (labels beside it), a TFF h5 or LEAF JSON. "
                    + "Default: ${DEFAULT-VALUE}.")
    String data;

    @Option(names = "--test-data", description = "Test data. Default: bundled:field for bundled training data, else "
            + "--test-fraction of the writers.")
    String testData;

    @Option(names = "--test-fraction", defaultValue = "0.1",
            description = "Share of writers held out when no --test-data is given. Default: ${DEFAULT-VALUE}.")
    double testFraction;

    @Option(names = "--model", defaultValue = "tutorial",
            description = "tutorial (TF Privacy's CNN: conv16 8x8 s2, max-pool 2 s1, conv32 4x4 s2, max-pool 2 s1, "
                    + "dense 32, dense classes) or reference (the primary classifier fedgan debugs). "
                    + "Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--activation", defaultValue = "tanh",
            description = "The tutorial CNN's hidden activation, tanh or relu (tanh trains better under DP, Papernot "
                    + "et al. 2020). Default: ${DEFAULT-VALUE}.")
    String activation;

    /** {training, test}, the writers split with {@code seed} when no test data is given. */
    FederatedDataset[] split(long seed, WriterPartition.Options partition) {
        return ClassifierTraining.trainAndTest(data, testData, testFraction, seed, partition);
    }

    Dl4jModels.Model model() {
        return Dl4jModels.Model.parse(model);
    }

    /** The hidden activation: ReLU for the reference classifier, which has no other. */
    Activation.Function activation() {
        return model() == Dl4jModels.Model.REFERENCE ? Activation.Function.RELU : Activation.Function.parse(activation);
    }
}

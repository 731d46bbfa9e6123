package dev.fedgan.core.classifier;

import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.progress.Progress;

/** The classifier trained once per test JVM with the default settings on the bundled lab digits. */
public final class TrainedClassifier {

    private static PrimaryClassifier instance;

    private TrainedClassifier() {
    }

    public static synchronized PrimaryClassifier get() {
        if (instance == null) {
            instance = ClassifierTraining.train(lab(), field(), ClassifierTraining.Options.DEFAULT, Progress.NONE);
        }
        return instance;
    }

    public static FederatedDataset lab() {
        return DatasetLoader.load("bundled:lab", WriterPartition.Options.DEFAULT);
    }

    public static FederatedDataset field() {
        return DatasetLoader.load("bundled:field", WriterPartition.Options.DEFAULT);
    }
}

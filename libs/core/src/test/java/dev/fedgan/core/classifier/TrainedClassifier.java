package dev.fedgan.core.classifier;

import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.progress.Progress;

/**
 * The classifier trained once per test JVM on the bundled lab digits: two epochs of 64 examples a step at twice the
 * default rate, 95.9% on the held-out digits in about 36 s, enough for the tests that need a trained model (batches
 * of 64 take two thirds of the time of the default 32). The default five epochs' 97% is a benchmark target
 * (bench/classifier-accuracy.sh), not worth a minute of every test run.
 */
public final class TrainedClassifier {

    /** Two epochs, batch 64 at rate 2e-3, no decay; the default seed. */
    static final ClassifierTraining.Options OPTIONS = new ClassifierTraining.Options(2, 64, 2e-3, 0,
            ClassifierTraining.Options.DEFAULT.seed());
    private static PrimaryClassifier instance;

    private TrainedClassifier() {
    }

    public static synchronized PrimaryClassifier get() {
        if (instance == null) {
            instance = ClassifierTraining.train(lab(), field(), OPTIONS, Progress.NONE);
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

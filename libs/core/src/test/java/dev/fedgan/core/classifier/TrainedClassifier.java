package dev.fedgan.core.classifier;

import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.progress.Progress;

/**
 * The classifier trained once per test JVM on the bundled lab digits: three epochs of 64 examples a step at twice the
 * default rate (the last epoch at a tenth of it), 96.7% on the held-out digits, enough for the tests that need a
 * trained model. Batches of 64 take two thirds of the time of the default 32. The default five epochs' 97% is a
 * benchmark target (bench/classifier-accuracy.sh), not worth a minute of every test run.
 */
public final class TrainedClassifier {

    /** Three epochs, the last decayed, batch 64 at rate 2e-3; the default seed. */
    static final ClassifierTraining.Options OPTIONS = new ClassifierTraining.Options(3, 64, 2e-3, 1,
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

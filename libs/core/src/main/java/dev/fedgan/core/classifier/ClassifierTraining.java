package dev.fedgan.core.classifier;

import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.io.BuildInfo;
import dev.fedgan.core.progress.Progress;
import java.time.Instant;
import java.util.Locale;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Central training of the primary classifier on normal (non-inverted) data, as the reference does
 * (section 1 step 1): Adam, batch 32, softmax cross-entropy, shuffled each epoch from a seed.
 * Same seed and same data give the same weights (CPU backend, same thread count).
 *
 * <p>One addition to the reference: the last {@code decayEpochs} epochs run at a tenth of the learning rate. The
 * reference trains 3 epochs over 671,585 EMNIST examples; on the 6,000 bundled lab digits a constant rate leaves
 * held-out accuracy swinging by about a percent from epoch to epoch; the decay settles it.
 */
public final class ClassifierTraining {

    /**
     * @param epochs       passes over the training data (reference checkpoint: 3)
     * @param batchSize    examples per step (reference: 32)
     * @param learningRate Adam step size (Keras default 1e-3)
     * @param decayEpochs  how many final epochs run at learningRate / 10 (0 = constant rate, as the reference)
     * @param seed         weight initialisation and shuffling (the reference's shuffle seed by default)
     */
    public record Options(int epochs, int batchSize, double learningRate, int decayEpochs, long seed) {

        public static final Options DEFAULT = new Options(5, 32, 1e-3, 2, 124_578);

        public Options {
            if (epochs < 1 || epochs > 1000) {
                throw new IllegalArgumentException("epochs must be in [1, 1000], got " + epochs);
            }
            if (batchSize < 1 || batchSize > 65_536) {
                throw new IllegalArgumentException("batch size must be in [1, 65536], got " + batchSize);
            }
            if (!(learningRate > 0 && learningRate <= 1)) {
                throw new IllegalArgumentException("learning rate must be in (0, 1], got " + learningRate);
            }
            if (decayEpochs < 0 || decayEpochs > epochs) {
                throw new IllegalArgumentException("decay epochs must be in [0, epochs = " + epochs + "], got " + decayEpochs);
            }
        }

        /** The Adam step size of a 0-based epoch. */
        public double learningRate(int epoch) {
            return epoch >= epochs - decayEpochs ? learningRate / 10 : learningRate;
        }
    }

    /** The test data used when bundled lab data is trained on and no test data is named. */
    public static final String BUNDLED_LAB_TEST_DATA = "bundled:field";

    private ClassifierTraining() {
    }

    /** The share of the lab data's writers an experiment holds out to test its classifier. */
    public static final double LAB_TEST_FRACTION = 0.1;

    /**
     * The classifier data of a debugging experiment ({@code fedgan debug} and the filter): the lab data less
     * {@link #LAB_TEST_FRACTION} of its writers, held out (split with {@code seed}) for the test accuracy. Never the
     * users' data: the test accuracy is released (classifier.json, the report), and measured on the users it would
     * be an unnoised statistic of their data.
     *
     * @return {training, test}
     */
    public static FederatedDataset[] labSplit(String labData, long seed, WriterPartition.Options partition) {
        return DatasetLoader.load(labData, partition).splitWriters(LAB_TEST_FRACTION, seed);
    }

    /**
     * The training and test data of {@code fedgan classifier train} and {@code fedgan dpsgd train}:
     * {@code testData} if given; {@code bundled:field} when training on the bundled lab digits; otherwise a
     * held-out {@code testFraction} of the training data's writers (split with {@code seed}).
     *
     * @return {training, test}
     */
    public static FederatedDataset[] trainAndTest(String data, String testData, double testFraction, long seed,
                                                  WriterPartition.Options partition) {
        FederatedDataset train = DatasetLoader.load(data, partition);
        if (testData == null && data.startsWith("bundled:lab")) {
            testData = BUNDLED_LAB_TEST_DATA;
        }
        if (testData != null) {
            return new FederatedDataset[] {train, DatasetLoader.load(testData, partition)};
        }
        return train.splitWriters(testFraction, seed);
    }

    /** Trains on {@code train} and reports accuracy on the held-out {@code test}. */
    public static PrimaryClassifier train(FederatedDataset train, FederatedDataset test, Options o, Progress progress) {
        if (train.numClasses() != test.numClasses()) {
            throw new IllegalArgumentException("training data " + train.name() + " has " + train.numClasses()
                    + " classes but test data " + test.name() + " has " + test.numClasses());
        }
        long started = System.nanoTime();
        int n = (int) train.numExamples();
        float[] pixels = train.firstImages(n);
        int[] labels = train.allLabels();

        Nd4j.getRandom().setSeed(o.seed());
        MultiLayerNetwork net = new MultiLayerNetwork(ClassifierArchitecture.build(train.numClasses(), o.learningRate(), o.seed()));
        net.init();

        SplittableRandom rng = new SplittableRandom(o.seed());
        int classes = train.numClasses();
        progress.start("training classifier", (long) o.epochs() * n, "examples");
        for (int epoch = 0; epoch < o.epochs(); epoch++) {
            net.setLearningRate(o.learningRate(epoch));
            int[] order = WriterPartition.permutation(n, rng);
            double lossSum = 0;
            int steps = 0;
            for (int from = 0; from < n; from += o.batchSize()) {
                int count = Math.min(o.batchSize(), n - from);
                float[] x = new float[count * WriterData.PIXELS];
                float[] y = new float[count * classes];
                for (int i = 0; i < count; i++) {
                    int e = order[from + i];
                    System.arraycopy(pixels, e * WriterData.PIXELS, x, i * WriterData.PIXELS, WriterData.PIXELS);
                    y[i * classes + labels[e]] = 1f;
                }
                INDArray features = Nd4j.create(x, new long[] {count, 1, WriterData.SIDE, WriterData.SIDE}, 'c');
                INDArray targets = Nd4j.create(y, new long[] {count, classes}, 'c');
                net.fit(features, targets);
                lossSum += net.score();
                steps++;
                progress.advance(count, String.format(Locale.ROOT, "epoch %d/%d loss %.4f", epoch + 1, o.epochs(), lossSum / steps));
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        PrimaryClassifier untested = new PrimaryClassifier(net, null);
        double acc = untested.accuracy(test);
        progress.finish(String.format(Locale.ROOT, "test accuracy %.2f%% on %d held-out examples", 100 * acc, test.numExamples()));
        ClassifierProvenance prov = new ClassifierProvenance(ClassifierProvenance.ARCHITECTURE, classes, net.numParams(),
                train.name(), train.fingerprint(), train.numExamples(), test.name(), test.fingerprint(), test.numExamples(),
                acc, o.epochs(), o.batchSize(), o.learningRate(), o.decayEpochs(), o.seed(), seconds, BuildInfo.dl4jVersion(),
                BuildInfo.backend(), BuildInfo.javaVersion(), Instant.now().toString(), null);
        return new PrimaryClassifier(net, prov);
    }
}

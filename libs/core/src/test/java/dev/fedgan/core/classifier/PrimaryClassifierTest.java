package dev.fedgan.core.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.progress.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PrimaryClassifierTest {

    @TempDir
    Path tmp;

    @Test
    void architectureHasTheReferenceParameterCount() {
        MultiLayerNetwork emnist = new MultiLayerNetwork(ClassifierArchitecture.build(36, 1e-3, 1));
        emnist.init();
        assertEquals(95_012, emnist.numParams(), "reference section 2.1, 36 classes");
        MultiLayerNetwork digits = new MultiLayerNetwork(ClassifierArchitecture.build(10, 1e-3, 1));
        digits.init();
        assertEquals(95_012 - 26 * 65, digits.numParams(), "10 logits instead of 36");
    }

    @Test
    void twoEpochsReachAtLeast95PercentOnTheHeldOutBundledDigits() {
        PrimaryClassifier c = TrainedClassifier.get();
        double acc = c.provenance().testAccuracy();
        System.out.printf("primary classifier: test accuracy %.4f on %d held-out examples (bundled:field), trained in %.0f s%n",
                acc, c.provenance().testExamples(), c.provenance().trainSeconds());
        assertTrue(acc >= 0.95, "test accuracy " + acc);
        assertEquals(4000, c.provenance().testExamples());
        assertEquals(acc, c.accuracy(TrainedClassifier.field()), 1e-12);
    }

    @Test
    void logitsAreThePreSoftmaxOutputsOfTheNetwork() {
        PrimaryClassifier c = TrainedClassifier.get();
        WriterData w = TrainedClassifier.field().writers().get(3);
        INDArray images = PrimaryClassifier.batch(w.pixels(), 0, w.size());
        INDArray logits = c.logits(images);
        INDArray probs = c.network().output(images, false);
        assertEquals(w.size(), logits.rows());
        assertEquals(10, logits.columns());
        double maxDiff = Nd4j.nn().softmax(logits, 1).sub(probs).amaxNumber().doubleValue();
        assertTrue(maxDiff < 1e-5, "softmax(logits) differs from the network output by " + maxDiff);
        assertArrayEquals(Nd4j.argMax(probs, 1).toIntVector(), c.predict(w.pixels()));
    }

    @Test
    void saveAndLoadGiveTheSamePredictionsAndProvenance() throws Exception {
        PrimaryClassifier c = TrainedClassifier.get();
        c.save(tmp);
        PrimaryClassifier back = PrimaryClassifier.load(tmp);
        assertEquals(c.provenance(), back.provenance());
        float[] px = TrainedClassifier.field().writers().get(0).pixels();
        assertArrayEquals(c.predict(px), back.predict(px));
        String json = Files.readString(tmp.resolve(PrimaryClassifier.PROVENANCE_FILE));
        for (String key : List.of("\"train_fingerprint\" : \"sha256:", "\"seed\" : 124578", "\"dl4j_version\" : \"1.0.0-M2.1\"",
                "\"test_accuracy\"", "\"backend\" : \"CpuBackend\"")) {
            assertTrue(json.contains(key), key + " in " + json);
        }

        Files.write(tmp.resolve(PrimaryClassifier.WEIGHTS_FILE), new byte[] {1, 2, 3});
        IllegalArgumentException corrupt = assertThrows(IllegalArgumentException.class, () -> PrimaryClassifier.load(tmp));
        assertTrue(corrupt.getMessage().contains("model.zip: corrupt or unreadable model file"), corrupt.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> PrimaryClassifier.load(tmp.resolve("nothing")));
        assertTrue(missing.getMessage().contains("not found"), missing.getMessage());
    }

    @Test
    void sameSeedAndDataGiveTheSameWeights() {
        FederatedDataset lab = TrainedClassifier.lab();
        FederatedDataset small = lab.restrictTo("small", lab.byId().keySet().stream().limit(8).toList());
        FederatedDataset test = lab.restrictTo("test", lab.byId().keySet().stream().skip(90).toList());
        ClassifierTraining.Options o = new ClassifierTraining.Options(1, 32, 1e-3, 0, 99);
        PrimaryClassifier a = ClassifierTraining.train(small, test, o, Progress.NONE);
        PrimaryClassifier b = ClassifierTraining.train(small, test, o, Progress.NONE);
        assertEquals(a.network().params(), b.network().params());
        PrimaryClassifier other = ClassifierTraining.train(small, test, new ClassifierTraining.Options(1, 32, 1e-3, 0, 100), Progress.NONE);
        assertTrue(!a.network().params().equals(other.network().params()), "another seed gives other weights");
    }

    @Test
    void absurdTrainingParametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ClassifierTraining.Options(0, 32, 1e-3, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ClassifierTraining.Options(3, 0, 1e-3, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ClassifierTraining.Options(3, 32, Double.NaN, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ClassifierTraining.Options(3, 32, 5, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ClassifierTraining.Options(3, 32, 1e-3, 4, 1));
        ClassifierTraining.Options d = ClassifierTraining.Options.DEFAULT;
        assertEquals(1e-3, d.learningRate(0));
        assertEquals(1e-4, d.learningRate(d.epochs() - 1), 1e-12);
    }
}

package dev.fedgan.bench;

import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.classifier.ClassifierArchitecture;
import dev.fedgan.core.classifier.ClassifierTraining;
import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.measure.Misclassification;
import dev.fedgan.core.progress.Progress;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of the primary classifier on 2 cores: inference (examples/s, batched), one training step
 * (batch 32, Adam), and the full per-writer measurement of the bundled digits after the model is loaded.
 * Ops/s of {@code inference} and {@code dl4jOutput} are batches/s: multiply by {@code batch} for examples/s.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
public class ClassifierBenchmark {

    @Param({"500"})
    int batch;

    PrimaryClassifier classifier;
    FederatedDataset all;
    float[] pixels;
    INDArray images;
    INDArray trainImages;
    INDArray trainTargets;
    MultiLayerNetwork trainee;

    @Setup(Level.Trial)
    public void setup() {
        all = DatasetLoader.load("bundled", WriterPartition.Options.DEFAULT); // 10,000 digits, 200 writers
        FederatedDataset lab = DatasetLoader.load("bundled:lab", WriterPartition.Options.DEFAULT);
        // A briefly trained classifier: throughput does not depend on how well it is trained.
        classifier = ClassifierTraining.train(lab.restrictTo("bench", lab.byId().keySet().stream().limit(10).toList()),
                lab.restrictTo("bench-test", lab.byId().keySet().stream().limit(2).toList()),
                new ClassifierTraining.Options(1, 32, 1e-3, 0, 1), Progress.NONE);
        pixels = all.firstImages(batch);
        images = PrimaryClassifier.batch(pixels, 0, batch);
        trainee = new MultiLayerNetwork(ClassifierArchitecture.build(10, 1e-3, 1));
        trainee.init();
        trainImages = PrimaryClassifier.batch(pixels, 0, 32);
        trainTargets = Nd4j.zeros(32, 10);
        for (int i = 0; i < 32; i++) {
            trainTargets.putScalar(i, i % 10, 1f);
        }
    }

    /** fedgan's inference path: the SameDiff logits graph (one op = one batch). */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public INDArray inference() {
        return classifier.logits(images);
    }

    /** DL4J's own MultiLayerNetwork.output on the same batch, for comparison (one op = one batch). */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public INDArray dl4jOutput() {
        return classifier.network().output(images, false);
    }

    /** One Adam step on 32 examples (one op = 32 examples). */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public double trainingStep() {
        trainee.fit(trainImages, trainTargets);
        return trainee.score();
    }

    /** The full per-writer measurement of all 10,000 bundled digits (200 writers), bug p = 0.5. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Warmup(iterations = 1)
    @Measurement(iterations = 5)
    public dev.fedgan.core.measure.Measurement fullMeasurement() {
        return Misclassification.measure(classifier, all, new InversionBug(0.5, 7), Progress.NONE);
    }
}

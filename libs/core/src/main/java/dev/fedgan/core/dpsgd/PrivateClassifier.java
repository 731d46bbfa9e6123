package dev.fedgan.core.dpsgd;

import dev.fedgan.core.classifier.ClassifierProvenance;
import dev.fedgan.core.classifier.ClassifierTraining;
import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.io.AtomicFiles;
import dev.fedgan.core.io.BuildInfo;
import dev.fedgan.core.progress.Progress;
import dev.fedgan.core.render.EpochChart;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A classifier trained with DP-SGD (or, as its baseline, without): the model defined in DL4J ({@link Dl4jModels}),
 * trained by the per-example engine, handed back as an ordinary DL4J network with its provenance, which states the
 * guarantee. One writer for what a run leaves: the model and {@code classifier.json}, {@code epochs.csv} and
 * {@code training.png} (test accuracy and ε per epoch).
 */
public final class PrivateClassifier {

    public static final String EPOCHS_FILE = "epochs.csv";
    public static final String CHART_FILE = "training.png";
    public static final String EPOCHS_HEADER = "epoch,steps,test_loss,test_accuracy,epsilon,seconds";

    /** The trained classifier and the run's figures. */
    public record Outcome(PrimaryClassifier classifier, DpSgdTraining.Result result) {
    }

    private PrivateClassifier() {
    }

    /** The architecture named in the provenance. */
    public static String architecture(Dl4jModels.Model model, Activation.Function activation) {
        return switch (model) {
            case REFERENCE -> ClassifierProvenance.ARCHITECTURE;
            case TUTORIAL -> "TF Privacy tutorial CNN (conv16 8x8 s2-maxpool2 s1-conv32 4x4 s2-maxpool2 s1-dense32-logits), "
                    + activation.name().toLowerCase(Locale.ROOT);
        };
    }

    public static Outcome train(FederatedDataset train, FederatedDataset test, Dl4jModels.Model model,
                                Activation.Function activation, DpSgdTraining.Options o, Progress progress) {
        if (model == Dl4jModels.Model.REFERENCE && activation != Activation.Function.RELU) {
            throw new IllegalArgumentException("the reference classifier is ReLU only; --activation applies to the "
                    + "tutorial CNN");
        }
        MultiLayerConfiguration conf = Dl4jModels.configuration(model, train.numClasses(), activation, o.seed());
        Examples trainSet = Examples.of(train);
        Examples testSet = Examples.of(test);
        Network net = Network.of(trainSet.shape(), DataType.FLOAT, Dl4jModels.layers(conf, trainSet.shape()), o.seed());
        DpSgdTraining.Result r = DpSgdTraining.train(net, trainSet, testSet, o, progress);
        ClassifierProvenance prov = new ClassifierProvenance(architecture(model, activation), train.numClasses(),
                net.numParams(), train.name(), train.fingerprint(), train.numExamples(), test.name(), test.fingerprint(),
                test.numExamples(), r.testAccuracy(), (int) Math.ceil(o.epochs()), o.expectedBatch(), o.learningRate(), 0,
                o.seed(), r.seconds(), BuildInfo.dl4jVersion(), BuildInfo.backend(), BuildInfo.javaVersion(),
                Instant.now().toString(), r.privacy());
        return new Outcome(PrimaryClassifier.of(Dl4jModels.toDl4j(conf, net), prov), r);
    }

    /**
     * The primary classifier that {@code fedgan debug} and the filter train on one split of the lab data: with
     * DP-SGD on the reference architecture when {@code dp} is given (the guarantee then in its provenance), else
     * ordinarily ({@link ClassifierTraining}) with {@code ordinary}.
     */
    public static PrimaryClassifier primary(FederatedDataset train, FederatedDataset test,
                                            ClassifierTraining.Options ordinary, DpSgdTraining.Options dp,
                                            Progress progress) {
        if (dp == null) {
            return ClassifierTraining.train(train, test, ordinary, progress);
        }
        return train(train, test, Dl4jModels.Model.REFERENCE, Activation.Function.RELU, dp, progress).classifier();
    }

    /** Writes the classifier, {@code epochs.csv} and {@code training.png} into {@code dir}. */
    public static void save(Path dir, Outcome outcome) throws IOException {
        outcome.classifier().save(dir);
        byte[] csv = epochsCsv(outcome.result().epochs()).getBytes(StandardCharsets.UTF_8);
        byte[] png = chartPng(outcome);
        AtomicFiles.write(dir.resolve(EPOCHS_FILE), "epochs CSV", f -> Files.write(f, csv));
        AtomicFiles.write(dir.resolve(CHART_FILE), "training chart", f -> Files.write(f, png));
    }

    static String epochsCsv(List<DpSgdTraining.Epoch> epochs) {
        StringBuilder b = new StringBuilder(EPOCHS_HEADER).append('\n');
        for (DpSgdTraining.Epoch e : epochs) {
            b.append(String.format(Locale.ROOT, "%d,%d,%.6f,%.6f,%s,%.2f%n", e.epoch(), e.steps(), e.testLoss(),
                    e.testAccuracy(), Double.isFinite(e.epsilon())
                            ? String.format(Locale.ROOT, "%.6f", e.epsilon()) : "inf", e.seconds()));
        }
        return b.toString();
    }

    /** The PNG of test accuracy and ε per epoch. */
    public static byte[] chartPng(Outcome outcome) {
        List<DpSgdTraining.Epoch> epochs = outcome.result().epochs();
        double[] test = epochs.stream().mapToDouble(DpSgdTraining.Epoch::testAccuracy).toArray();
        double[] eps = outcome.result().privacy() == null ? null
                : epochs.stream().mapToDouble(DpSgdTraining.Epoch::epsilon).toArray();
        var p = outcome.classifier().provenance();
        String title = p.privacy() == null
                ? String.format(Locale.ROOT, "non-private training, test accuracy %.2f%%", 100 * p.testAccuracy())
                : String.format(Locale.ROOT, "DP-SGD: test accuracy %.2f%% at epsilon %.2f (delta %.1e, S %.3g, z %.3g)",
                        100 * p.testAccuracy(), p.privacy().epsilonOriginal(), p.privacy().delta(),
                        p.privacy().clipNorm(), p.privacy().noiseMultiplier());
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(EpochChart.draw(title, List.of(new EpochChart.Series("test accuracy", new Color(0x2CA02C), test)),
                    eps), "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return png.toByteArray();
    }
}

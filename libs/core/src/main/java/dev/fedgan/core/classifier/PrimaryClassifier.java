package dev.fedgan.core.classifier;

import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The primary model under debugging: the trained reference classifier plus its provenance. Predictions are
 * batched; the result per example equals one-by-one classification (argmax of the logits).
 */
public final class PrimaryClassifier {

    public static final String WEIGHTS_FILE = "model.zip";
    public static final String PROVENANCE_FILE = "classifier.json";
    /** Batch size for inference; large enough to amortise DL4J's per-call overhead. */
    public static final int INFERENCE_BATCH = 500;

    private final MultiLayerNetwork network;
    private final ClassifierProvenance provenance;
    private ClassifierInference inference;

    PrimaryClassifier(MultiLayerNetwork network, ClassifierProvenance provenance) {
        this.network = network;
        this.provenance = provenance;
    }

    /** A trained network with its provenance (e.g. from DP-SGD training). */
    public static PrimaryClassifier of(MultiLayerNetwork network, ClassifierProvenance provenance) {
        return new PrimaryClassifier(network, provenance);
    }

    /**
     * The compiled logits graph, built on first use: it exists for the reference architecture only, the one
     * fedgan debugs; other architectures are saved and evaluated with DL4J's own forward pass.
     */
    private synchronized ClassifierInference inference() {
        if (inference == null) {
            if (provenance != null && !ClassifierProvenance.ARCHITECTURE.equals(provenance.architecture())) {
                throw new IllegalStateException("the " + provenance.architecture() + " is not the primary classifier's"
                        + " architecture; only the " + ClassifierProvenance.ARCHITECTURE + " is measured and debugged");
            }
            inference = new ClassifierInference(network);
        }
        return inference;
    }

    public ClassifierProvenance provenance() {
        return provenance;
    }

    public int numClasses() {
        return provenance.numClasses();
    }

    public MultiLayerNetwork network() {
        return network;
    }

    /** Images {@code from .. from+count-1} of a flat n x 784 array as an NCHW batch [count, 1, 28, 28]. */
    public static INDArray batch(float[] pixels, int from, int count) {
        float[] buf = new float[count * WriterData.PIXELS];
        System.arraycopy(pixels, from * WriterData.PIXELS, buf, 0, buf.length);
        return Nd4j.create(buf, new long[] {count, 1, WriterData.SIDE, WriterData.SIDE}, 'c');
    }

    /** Predicted class of each of the {@code pixels.length / 784} images. */
    public int[] predict(float[] pixels) {
        int n = pixels.length / WriterData.PIXELS;
        int[] out = new int[n];
        for (int from = 0; from < n; from += INFERENCE_BATCH) {
            int count = Math.min(INFERENCE_BATCH, n - from);
            INDArray arg = Nd4j.argMax(isReference() ? inference().logits(batch(pixels, from, count))
                    : network.output(batch(pixels, from, count)), 1);
            for (int i = 0; i < count; i++) {
                out[from + i] = arg.getInt(i);
            }
        }
        return out;
    }

    /** The classifier's logits [n, classes] (pre-softmax) for an NCHW batch [n, 1, 28, 28]. */
    public INDArray logits(INDArray images) {
        return inference().logits(images);
    }

    private boolean isReference() {
        return provenance == null || ClassifierProvenance.ARCHITECTURE.equals(provenance.architecture());
    }

    /** Fraction of correctly classified examples over the whole dataset. */
    public double accuracy(FederatedDataset data) {
        long correct = 0;
        long total = 0;
        for (WriterData w : data.writers()) {
            int[] pred = predict(w.pixels());
            for (int i = 0; i < pred.length; i++) {
                correct += pred[i] == w.labels()[i] ? 1 : 0;
            }
            total += pred.length;
        }
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    /** Writes {@code model.zip} (weights and updater state) and {@code classifier.json} into {@code dir}. */
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(WEIGHTS_FILE + ".tmp");
        ModelSerializer.writeModel(network, tmp.toFile(), true);
        Files.move(tmp, dir.resolve(WEIGHTS_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Json.write(dir.resolve(PROVENANCE_FILE), provenance);
    }

    /** Loads a classifier saved by {@link #save}; a missing or corrupt file is an error naming it. */
    public static PrimaryClassifier load(Path dir) {
        Path weights = dir.resolve(WEIGHTS_FILE);
        Path prov = dir.resolve(PROVENANCE_FILE);
        for (Path p : new Path[] {weights, prov}) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException(p + ": not found; expected a classifier directory written by "
                        + "'fedgan classifier train' (" + WEIGHTS_FILE + " + " + PROVENANCE_FILE + ")");
            }
        }
        ClassifierProvenance provenance = Json.read(prov, ClassifierProvenance.class);
        if (!ClassifierProvenance.ARCHITECTURE.equals(provenance.architecture())) {
            throw new IllegalArgumentException(prov + ": a " + provenance.architecture() + "; the primary classifier "
                    + "must be the " + ClassifierProvenance.ARCHITECTURE + " (train it with --model reference)");
        }
        MultiLayerNetwork net;
        try {
            net = ModelSerializer.restoreMultiLayerNetwork(weights.toFile(), false);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(weights + ": corrupt or unreadable model file: " + e.getMessage(), e);
        }
        long outputs = net.getLayer(ClassifierArchitecture.OUTPUT).getParam("b").length();
        if (outputs != provenance.numClasses() || net.numParams() != provenance.parameters()) {
            throw new IllegalArgumentException(weights + ": model has " + outputs + " outputs and " + net.numParams()
                    + " parameters, but " + prov + " says " + provenance.numClasses() + " and " + provenance.parameters());
        }
        return new PrimaryClassifier(net, provenance);
    }

}

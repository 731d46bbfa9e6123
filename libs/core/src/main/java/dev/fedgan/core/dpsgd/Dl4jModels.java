package dev.fedgan.core.dpsgd;

import dev.fedgan.core.classifier.ClassifierArchitecture;
import dev.fedgan.core.data.WriterData;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * The classifiers DP-SGD trains, defined once as DL4J configurations (so a trained model is an ordinary DL4J
 * network: saved, loaded and served like any other) and imported into the per-example engine, which trains them.
 *
 * <p>Import maps each DL4J layer to engine layers and refuses what per-example DP cannot train: <b>BatchNorm</b>
 * normalises each example with statistics of the whole batch, so an example's output, and its gradient, depend on
 * the other examples of the batch; no per-example gradient exists to clip (Opacus refuses it too and replaces it by
 * GroupNorm). Use {@link Normalization#groupNorm} in the engine instead.
 */
public final class Dl4jModels {

    /** The models {@code fedgan dpsgd train} offers. */
    public enum Model {
        /** The project's primary classifier ({@link ClassifierArchitecture}). */
        REFERENCE,
        /**
         * The TF Privacy tutorial's CNN: conv 16 8×8 s2 same, max-pool 2 s1, conv 32 4×4 s2 valid, max-pool 2 s1,
         * dense 32, dense classes (also Papernot et al.'s and Tramèr &amp; Boneh's Fashion-MNIST CNN family).
         */
        TUTORIAL;

        public static Model parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown model '" + name + "'; expected reference or tutorial");
            }
        }
    }

    private Dl4jModels() {
    }

    /** The DL4J configuration of a model over 28×28 greyscale images. */
    public static MultiLayerConfiguration configuration(Model model, int classes, Activation.Function activation, long seed) {
        return switch (model) {
            case REFERENCE -> ClassifierArchitecture.build(classes, 1e-3, seed);
            case TUTORIAL -> tutorialCnn(classes, activation, seed);
        };
    }

    /** The TF Privacy tutorial's CNN with tanh or ReLU hidden activations. */
    public static MultiLayerConfiguration tutorialCnn(int classes, Activation.Function activation, long seed) {
        IActivation a = switch (activation) {
            case RELU -> new ActivationReLU();
            case TANH -> new ActivationTanH();
            default -> throw new IllegalArgumentException("the tutorial CNN takes relu or tanh, got " + activation);
        };
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(new Sgd(0.1))
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .list()
                .layer(new ConvolutionLayer.Builder(8, 8).stride(2, 2).nOut(16).convolutionMode(ConvolutionMode.Same)
                        .activation(a).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(1, 1)
                        .convolutionMode(ConvolutionMode.Truncate).build())
                .layer(new ConvolutionLayer.Builder(4, 4).stride(2, 2).nOut(32).convolutionMode(ConvolutionMode.Truncate)
                        .activation(a).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(1, 1)
                        .convolutionMode(ConvolutionMode.Truncate).build())
                .layer(new DenseLayer.Builder().nOut(32).activation(a).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                        .activation(new ActivationSoftmax()).build())
                .setInputType(InputType.convolutional(WriterData.SIDE, WriterData.SIDE, 1))
                .build();
    }

    /**
     * The engine's layers for a DL4J configuration over inputs of {@code inputShape} [C, H, W]; the output layer's
     * softmax is left to the loss (the engine trains on logits).
     *
     * @throws IllegalArgumentException naming the layer, for BatchNorm or any layer the engine does not train
     */
    public static List<Layer> layers(MultiLayerConfiguration conf, long[] inputShape) {
        List<Layer> out = new ArrayList<>();
        long[] shape = inputShape.clone();
        int count = conf.getConfs().size();
        for (int i = 0; i < count; i++) {
            org.deeplearning4j.nn.conf.layers.Layer l = conf.getConf(i).getLayer();
            String where = "layer " + i + " (" + l.getClass().getSimpleName()
                    + (l.getLayerName() != null ? " '" + l.getLayerName() + "'" : "") + ")";
            List<Layer> mapped = new ArrayList<>();
            if (l instanceof BatchNormalization) {
                throw new IllegalArgumentException(where + ": BatchNorm cannot be trained with per-example DP: it "
                        + "normalises each example with the batch's statistics, so one example's gradient depends on "
                        + "the others and no per-example gradient exists to clip. Replace it by GroupNorm.");
            } else if (l instanceof ConvolutionLayer c && l.getClass() == ConvolutionLayer.class) {
                if (c.getDilation()[0] != 1 || c.getDilation()[1] != 1) {
                    throw new IllegalArgumentException(where + ": dilated convolutions are not supported");
                }
                boolean same = c.getConvolutionMode() == ConvolutionMode.Same;
                Window w = new Window(c.getKernelSize()[0], c.getKernelSize()[1], c.getStride()[0], c.getStride()[1],
                        same ? 0 : c.getPadding()[0], same ? 0 : c.getPadding()[1], same);
                mapped.add(new Conv2d(Math.toIntExact(c.getNIn()), Math.toIntExact(c.getNOut()), w, c.hasBias()));
                mapped.add(activation(c.getActivationFn(), where));
            } else if (l instanceof SubsamplingLayer p && l.getClass() == SubsamplingLayer.class) {
                if (p.getPoolingType() != org.deeplearning4j.nn.conf.layers.PoolingType.MAX) {
                    throw new IllegalArgumentException(where + ": only max pooling is supported, got " + p.getPoolingType());
                }
                boolean same = p.getConvolutionMode() == ConvolutionMode.Same;
                mapped.add(new MaxPool2d(new Window(p.getKernelSize()[0], p.getKernelSize()[1], p.getStride()[0],
                        p.getStride()[1], same ? 0 : p.getPadding()[0], same ? 0 : p.getPadding()[1], same)));
            } else if (l instanceof OutputLayer o) {
                if (!(o.getLossFn() instanceof LossMCXENT) || !(o.getActivationFn() instanceof ActivationSoftmax)) {
                    throw new IllegalArgumentException(where + ": the output layer must be softmax with cross-entropy");
                }
                if (shape.length != 1) {
                    mapped.add(new Flatten());
                }
                mapped.add(new Dense(Math.toIntExact(o.getNIn()), Math.toIntExact(o.getNOut())));
            } else if (l instanceof DenseLayer d) {
                if (!d.hasBias()) {
                    throw new IllegalArgumentException(where + ": dense layers without bias are not supported");
                }
                if (shape.length != 1) {
                    mapped.add(new Flatten());
                }
                mapped.add(new Dense(Math.toIntExact(d.getNIn()), Math.toIntExact(d.getNOut())));
                mapped.add(activation(d.getActivationFn(), where));
            } else if (l instanceof ActivationLayer a) {
                mapped.add(activation(a.getActivationFn(), where));
            } else {
                throw new IllegalArgumentException(where + ": not supported by the DP-SGD engine (it trains "
                        + "convolutions, max pooling, dense and softmax output layers from DL4J configurations)");
            }
            for (Layer m : mapped) {
                try {
                    shape = m.outputShape(shape);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
                }
                out.add(m);
            }
        }
        return out;
    }

    private static Layer activation(IActivation a, String where) {
        if (a instanceof ActivationReLU) {
            return new Activation(Activation.Function.RELU);
        } else if (a instanceof ActivationTanH) {
            return new Activation(Activation.Function.TANH);
        } else if (a instanceof ActivationSigmoid) {
            return new Activation(Activation.Function.SIGMOID);
        } else if (a instanceof ActivationLReLU l && l.getAlpha() == Activation.LEAKY_SLOPE) {
            return new Activation(Activation.Function.LEAKY_RELU);
        } else if (a instanceof ActivationIdentity) {
            return new Activation(Activation.Function.IDENTITY);
        }
        throw new IllegalArgumentException(where + ": activation " + a + " is not supported");
    }

    /** Copies the engine's parameters into a DL4J network of the configuration they were imported from. */
    public static void copyParams(Network from, MultiLayerNetwork to) {
        for (Pair p : pairs(to, from)) {
            INDArray w = p.dl4j().getParam("W");
            p.dl4j().setParam("W", p.weights().reshape(w.shape()).castTo(w.dataType()));
            if (p.bias() != null) {
                INDArray b = p.dl4j().getParam("b");
                p.dl4j().setParam("b", p.bias().reshape(b.shape()).castTo(b.dataType()));
            }
        }
    }

    /** Copies a DL4J network's parameters into the engine network imported from its configuration. */
    public static void copyParams(MultiLayerNetwork from, Network to) {
        for (Pair p : pairs(from, to)) {
            p.weights().assign(p.dl4j().getParam("W").reshape(p.weights().shape()).castTo(p.weights().dataType()));
            if (p.bias() != null) {
                p.bias().assign(p.dl4j().getParam("b").reshape(p.bias().shape()).castTo(p.bias().dataType()));
            }
        }
    }

    /** A DL4J layer with parameters and the engine's weight and bias views of the same layer. */
    private record Pair(org.deeplearning4j.nn.api.Layer dl4j, INDArray weights, INDArray bias) {
    }

    /** The layers with parameters of both networks, in order: import maps each such DL4J layer to one engine layer. */
    private static List<Pair> pairs(MultiLayerNetwork dl4j, Network engine) {
        List<Layer> withParams = engine.layers().stream().filter(l -> l.numParams() > 0).toList();
        List<Pair> out = new ArrayList<>();
        int k = 0;
        for (int i = 0; i < dl4j.getnLayers(); i++) {
            if (dl4j.getLayer(i).numParams() == 0) {
                continue;
            }
            Layer l = withParams.get(k++);
            out.add(l instanceof Dense d ? new Pair(dl4j.getLayer(i), d.weights(), d.bias())
                    : new Pair(dl4j.getLayer(i), ((WindowedLayer) l).weights(), ((WindowedLayer) l).bias()));
        }
        return out;
    }

    /** A fresh DL4J network of {@code conf} holding the engine's trained parameters. */
    public static MultiLayerNetwork toDl4j(MultiLayerConfiguration conf, Network trained) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        copyParams(trained, net);
        return net;
    }
}

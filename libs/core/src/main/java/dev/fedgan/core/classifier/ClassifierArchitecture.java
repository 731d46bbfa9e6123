package dev.fedgan.core.classifier;

import dev.fedgan.core.data.WriterData;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The reference EMNIST classifier (reference section 2.1): three valid 3x3 ReLU convolutions (32, 64, 64) with
 * 2x2 max pooling after the first two, a 64-unit ReLU layer and a linear layer of {@code numClasses} logits.
 * Keras defaults: Glorot-uniform kernels, zero biases; Adam with Keras' defaults (lr 1e-3, epsilon 1e-7).
 *
 * <p>DL4J fuses the last layer's softmax with the cross-entropy loss; {@link PrimaryClassifier#logits} recovers
 * the logits (the pre-softmax values) for the evaluation metrics. Layout is NCHW, so the flatten order differs
 * from Keras' NHWC; this only matters when importing Keras weights, which fedgan does not do.
 */
public final class ClassifierArchitecture {

    /** Index of the 64-unit layer whose output feeds the logits. */
    static final int PENULTIMATE = 5;
    static final int OUTPUT = 6;

    private ClassifierArchitecture() {
    }

    public static MultiLayerConfiguration build(int numClasses, double learningRate, long seed) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(new Adam(learningRate, 0.9, 0.999, 1e-7))
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .convolutionMode(ConvolutionMode.Truncate)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(32).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(64).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(64).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(64).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(numClasses)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(WriterData.SIDE, WriterData.SIDE, 1))
                .build();
    }
}

package dev.fedgan.core.classifier;

import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The trained classifier compiled into a SameDiff graph that outputs logits, for inference only. It runs
 * libnd4j's native conv2d / maxpool ops (oneDNN where available) instead of DL4J's layer code: several times faster
 * than {@code MultiLayerNetwork.output} ({@code ClassifierBenchmark}), and it yields the logits
 * directly. Outputs agree with the network's to float rounding (tested).
 */
final class ClassifierInference {

    private static final int[] CONVOLUTIONS = {0, 2, 4};
    private static final int POOLED_BELOW = 4;

    private final SameDiff graph;

    ClassifierInference(MultiLayerNetwork net) {
        graph = SameDiff.create();
        SDVariable h = graph.placeHolder("images", DataType.FLOAT, -1, 1, 28, 28);
        for (int layer : CONVOLUTIONS) {
            SDVariable w = graph.constant("conv" + layer + "_W", net.getLayer(layer).getParam("W").dup());
            SDVariable b = graph.constant("conv" + layer + "_b", net.getLayer(layer).getParam("b").reshape(-1).dup());
            h = graph.nn.relu(graph.cnn.conv2d(h, w, b, Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1)
                    .paddingMode(PaddingMode.VALID).dataFormat("NCHW").weightsFormat(WeightsFormat.OIYX).build()), 0);
            if (layer < POOLED_BELOW) {
                h = graph.cnn.maxPooling2d(h, Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2)
                        .paddingMode(PaddingMode.VALID).type(Pooling2D.Pooling2DType.MAX).isNHWC(false).build());
            }
        }
        // Flatten NCHW in 'c' order, exactly as DL4J's CnnToFeedForwardPreProcessor does.
        SDVariable batch = graph.shape(h).get(SDIndex.interval(0, 1));
        h = h.reshape(graph.concat(0, batch, graph.constant(Nd4j.createFromArray(new long[] {-1}))));
        h = graph.nn.relu(dense(h, net, ClassifierArchitecture.PENULTIMATE), 0);
        dense(h, net, ClassifierArchitecture.OUTPUT).rename("logits");
    }

    private SDVariable dense(SDVariable in, MultiLayerNetwork net, int layer) {
        SDVariable w = graph.constant("dense" + layer + "_W", net.getLayer(layer).getParam("W").dup());
        SDVariable b = graph.constant("dense" + layer + "_b", net.getLayer(layer).getParam("b").reshape(-1).dup());
        return in.mmul(w).add(b);
    }

    /** Logits [n, classes] of an NCHW batch [n, 1, 28, 28]. */
    INDArray logits(INDArray images) {
        return graph.outputSingle(Map.of("images", images), "logits");
    }
}

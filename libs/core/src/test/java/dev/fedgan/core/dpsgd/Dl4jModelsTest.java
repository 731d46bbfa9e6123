package dev.fedgan.core.dpsgd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.data.WriterData;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class Dl4jModelsTest {

    private static final long[] IMAGE = {1, WriterData.SIDE, WriterData.SIDE};

    /** The engine's logits equal DL4J's own forward pass (pre-softmax) with the same weights, both ways of copying. */
    @ParameterizedTest
    @EnumSource(Dl4jModels.Model.class)
    void importedModelsComputeWhatDl4jComputes(Dl4jModels.Model model) {
        MultiLayerConfiguration conf = Dl4jModels.configuration(model, 10, Activation.Function.TANH, 7);
        MultiLayerNetwork dl4j = new MultiLayerNetwork(conf);
        dl4j.init();
        Network engine = Network.of(IMAGE, DataType.FLOAT, Dl4jModels.layers(conf, IMAGE), 1);
        assertEquals(dl4j.numParams(), engine.numParams());
        Dl4jModels.copyParams(dl4j, engine);

        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 1, 28, 28).subi(0.5).muli(2);
        INDArray logits = engine.output(x);
        INDArray softmax = dl4j.output(x);
        INDArray ours = org.nd4j.linalg.ops.transforms.Transforms.softmax(logits, true);
        assertTrue(ours.equalsWithEps(softmax, 1e-5), "engine softmax " + ours + " vs DL4J " + softmax);

        MultiLayerNetwork back = Dl4jModels.toDl4j(conf, engine);
        assertTrue(back.params().equalsWithEps(dl4j.params(), 0), "parameters round-trip exactly");
        if (model == Dl4jModels.Model.TUTORIAL) {
            assertEquals(List.of(16 * 64 + 16, 32 * 16 * 16 + 32, 512 * 32 + 32, 32 * 10 + 10),
                    engine.layers().stream().filter(l -> l.numParams() > 0).map(Layer::numParams).toList(),
                    "the tutorial CNN's layers: conv 16 8x8, conv 32 4x4 over 16 channels, dense 512->32, dense 32->10");
        }
    }

    @Test
    void batchNormIsRefusedNamingTheLayer() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).build())
                .layer(new BatchNormalization.Builder().name("bn1").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1)).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dl4jModels.layers(conf, IMAGE));
        assertTrue(e.getMessage().startsWith("layer 1 (BatchNormalization 'bn1'): BatchNorm cannot be trained with "
                + "per-example DP"), e.getMessage());
        assertTrue(e.getMessage().contains("GroupNorm"), e.getMessage());
    }
}

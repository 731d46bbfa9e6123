package dev.fedgan.core.gan;

import java.util.ArrayList;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs the generator forward: in training mode (batch statistics) for the fakes a client trains its critic on,
 * as the reference does; in inference mode (moving statistics) for evaluation and pictures.
 */
public final class GeneratorSampler {

    private final SameDiff sd = GanNetworks.graph();

    public GeneratorSampler(GanPreset preset, boolean training, DataType type) {
        GanNetworks.declare(sd, GanNetworks.generatorLayout(preset), type);
        GanNetworks.generator(sd, preset, sd.placeHolder("noise", type, -1, preset.noiseDim()), training, new ArrayList<>())
                .rename("images");
    }

    /** Images {@code [B, 1, 28, 28]} in (−1, 1) for noise {@code [B, noiseDim]}. */
    public INDArray sample(NetworkWeights generator, INDArray noise) {
        GanNetworks.bind(sd, generator);
        return sd.output(Map.of("noise", noise), "images").get("images");
    }
}

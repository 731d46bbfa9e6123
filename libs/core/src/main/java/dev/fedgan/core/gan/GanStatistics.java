package dev.fedgan.core.gan;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Batch-norm moving statistics: Keras' update m ← momentum·m + (1 − momentum)·batch, momentum 0.999. */
final class GanStatistics {

    private GanStatistics() {
    }

    static void move(NetworkWeights w, String layer, INDArray batchMean, INDArray batchVariance) {
        move(w.get(layer + "_mean"), w.get(layer + "_var"), batchMean, batchVariance);
    }

    /** Moves the statistics {@code mean} and {@code variance} in place (views included) by a batch's. */
    static void move(INDArray mean, INDArray variance, INDArray batchMean, INDArray batchVariance) {
        double keep = GanNetworks.BN_MOMENTUM;
        mean.muli(keep).addi(batchMean.reshape(-1).castTo(mean.dataType()).mul(1 - keep));
        variance.muli(keep).addi(batchVariance.reshape(-1).castTo(variance.dataType()).mul(1 - keep));
    }
}

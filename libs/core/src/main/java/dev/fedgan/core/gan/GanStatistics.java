package dev.fedgan.core.gan;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Batch-norm moving statistics: Keras' update m ← momentum·m + (1 − momentum)·batch, momentum 0.999. */
final class GanStatistics {

    private GanStatistics() {
    }

    static void move(NetworkWeights w, String layer, INDArray batchMean, INDArray batchVariance) {
        double keep = GanNetworks.BN_MOMENTUM;
        w.get(layer + "_mean").muli(keep).addi(batchMean.reshape(-1).castTo(w.get(layer + "_mean").dataType()).mul(1 - keep));
        w.get(layer + "_var").muli(keep).addi(batchVariance.reshape(-1).castTo(w.get(layer + "_var").dataType()).mul(1 - keep));
    }
}

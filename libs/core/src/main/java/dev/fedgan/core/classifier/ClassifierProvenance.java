package dev.fedgan.core.classifier;

import dev.fedgan.core.privacy.DpSgdPrivacy;

/**
 * What a saved classifier is: written as {@code classifier.json} next to the weights, so anyone can tell which
 * data, settings and libraries produced it and how good it is; {@code privacy} is the sample-level DP-SGD guarantee
 * it was trained under, or null for ordinary training.
 */
public record ClassifierProvenance(
        String architecture,
        int numClasses,
        long parameters,
        String trainData,
        String trainFingerprint,
        long trainExamples,
        String testData,
        String testFingerprint,
        long testExamples,
        double testAccuracy,
        int epochs,
        int batchSize,
        double learningRate,
        int decayEpochs,
        long seed,
        double trainSeconds,
        String dl4jVersion,
        String backend,
        String javaVersion,
        String createdAt,
        DpSgdPrivacy privacy) {

    public static final String ARCHITECTURE = "reference EMNIST CNN (conv32-pool-conv64-pool-conv64-dense64-logits)";
}

package dev.fedgan.modelstore;

import dev.fedgan.core.classifier.ClassifierTraining;
import dev.fedgan.core.dpsgd.DpSgdTraining;
import dev.fedgan.core.privacy.Conversion;
import dev.fedgan.protocol.ClassifierPrivacy;

/**
 * A request's {@link ClassifierPrivacy} as the core's DP-SGD options, with the defaults for what it leaves unset:
 * clip S = 1, expected batch B = 256, {@code classifier_epochs} (else 5) epochs, learning rate 0.15, momentum 0, δ
 * min(1e-5, n^-1.1), a target ε under the original conversion (the larger of the two, so the improved one is within
 * it too). Secure sampling and noise, unless the experiment is a seeded run: then the classifier's sampling and noise
 * are seeded from the same seed (reproducible, NOT private; the guarantee's noise description says so). Shared by the
 * filter and {@code fedgan debug}.
 */
public final class ClassifierPrivacyMapping {

    public static final double DEFAULT_CLIP = 1.0;
    public static final int DEFAULT_BATCH = 256;
    public static final double DEFAULT_LEARNING_RATE = 0.15;
    public static final double DEFAULT_MOMENTUM = 0;
    /** Examples per forward/backward pass: bounds memory only. */
    public static final int PHYSICAL_BATCH = 512;

    private ClassifierPrivacyMapping() {
    }

    /**
     * @param p                the request's settings (not null)
     * @param classifierEpochs the request's {@code classifier_epochs}: the epochs when {@code p} gives none (null: 5)
     * @param seed             the parameter initialisation's seed (the classifier training's)
     * @param seededNoise      the experiment's {@code gan.seeded_privacy_noise}, or null for secure sampling and noise
     */
    public static DpSgdTraining.Options options(ClassifierPrivacy p, Integer classifierEpochs, long seed,
            Long seededNoise) {
        double epochs = p.epochs() != null ? p.epochs()
                : classifierEpochs != null ? classifierEpochs : ClassifierTraining.Options.DEFAULT.epochs();
        return new DpSgdTraining.Options(or(p.clip(), DEFAULT_CLIP), p.noiseMultiplier(), p.targetEpsilon(), p.delta(),
                Conversion.ORIGINAL, or(p.batch(), DEFAULT_BATCH), epochs, or(p.learningRate(), DEFAULT_LEARNING_RATE),
                or(p.momentum(), DEFAULT_MOMENTUM), PHYSICAL_BATCH, seededNoise != null ? seededNoise : seed,
                seededNoise != null, false);
    }

    private static <T> T or(T v, T fallback) {
        return v != null ? v : fallback;
    }
}

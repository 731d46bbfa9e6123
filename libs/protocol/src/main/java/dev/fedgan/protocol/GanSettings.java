package dev.fedgan.protocol;

/**
 * The GAN part of an experiment request; null fields take the defaults of {@code fedgan debug}
 * (docs/gan.md). The aggregator turns it into the core's training configuration and rejects absurd values
 * before any round starts.
 */
public record GanSettings(String preset, Integer rounds, Integer clientsPerRound, Integer criticSteps,
        Integer generatorSteps, Double criticLearningRate, Double generatorLearningRate, Double clip,
        Double noiseMultiplier, String loss, Integer imagesEvery, Long seed, Double targetEpsilon, Double delta,
        Long seededPrivacyNoise) {
}

package dev.fedgan.modelstore;

import dev.fedgan.core.gan.GanLoss;
import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.protocol.GanSettings;
import java.util.Locale;

/**
 * A message's GAN settings as the core's configuration; unset fields take {@link GanTrainingConfig#CPU_DEMO}'s.
 * Shared by the services, the command line and the benchmarks.
 */
public final class GanSettingsMapping {

    private GanSettingsMapping() {
    }

    public static GanTrainingConfig config(GanSettings s) {
        GanTrainingConfig d = GanTrainingConfig.CPU_DEMO;
        if (s == null) {
            return d;
        }
        return new GanTrainingConfig(s.preset() != null ? GanPreset.named(s.preset()) : d.preset(),
                s.loss() != null ? GanLoss.valueOf(s.loss().toUpperCase(Locale.ROOT)) : d.loss(), d.penaltyWeight(),
                or(s.criticSteps(), d.clientSteps()), or(s.generatorSteps(), d.generatorSteps()), d.batchSize(),
                or(s.clientsPerRound(), d.clientsPerRound()), or(s.rounds(), d.rounds()), true, or(s.clip(), d.clip()),
                or(s.noiseMultiplier(), d.noiseMultiplier()), or(s.criticLearningRate(), d.criticLearningRate()),
                or(s.generatorLearningRate(), d.generatorLearningRate()), or(s.imagesEvery(), d.imagesEvery()),
                d.checkpointEvery(), or(s.seed(), d.seed()));
    }

    /** The inverse: a configuration as fully resolved request settings ({@code config(settings(c, ...))} equals c). */
    public static GanSettings settings(GanTrainingConfig c, Double targetEpsilon, Long seededPrivacyNoise) {
        return new GanSettings(c.preset().name().toLowerCase(Locale.ROOT), c.rounds(), c.clientsPerRound(),
                c.clientSteps(), c.generatorSteps(), c.criticLearningRate(), c.generatorLearningRate(), c.clip(),
                c.noiseMultiplier(), c.loss().name(), c.imagesEvery(), c.seed(), targetEpsilon, null, seededPrivacyNoise);
    }

    private static <T> T or(T v, T fallback) {
        return v != null ? v : fallback;
    }
}

package dev.fedgan.modelstore;

import dev.fedgan.core.gan.GanLoss;
import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.privacy.AdaptiveClip;
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
        return config(s, GanTrainingConfig.CPU_DEMO);
    }

    /**
     * The settings over other defaults, e.g. a private run's ({@code PrivatePlan.BASE}). A {@code clip_quantile} turns
     * adaptive clipping on with the defaults' rule, or {@link AdaptiveClip#defaults} for the settings' m and z, for
     * the unset learning rate and count noise; those two without a quantile are refused.
     */
    public static GanTrainingConfig config(GanSettings s, GanTrainingConfig d) {
        if (s == null) {
            return d;
        }
        if (s.clipQuantile() == null && (s.clipLearningRate() != null || s.clipCountNoise() != null)) {
            throw new IllegalArgumentException("gan.clip_learning_rate and gan.clip_count_noise set adaptive clipping,"
                    + " which needs gan.clip_quantile");
        }
        GanTrainingConfig c = d.toBuilder()
                .preset(s.preset() != null ? GanPreset.named(s.preset()) : d.preset())
                .loss(s.loss() != null ? GanLoss.valueOf(s.loss().toUpperCase(Locale.ROOT)) : d.loss())
                .clientSteps(or(s.criticSteps(), d.clientSteps()))
                .generatorSteps(or(s.generatorSteps(), d.generatorSteps()))
                .clientsPerRound(or(s.clientsPerRound(), d.clientsPerRound()))
                .rounds(or(s.rounds(), d.rounds()))
                .differentialPrivacy(true)
                .clip(or(s.clip(), d.clip()))
                .noiseMultiplier(or(s.noiseMultiplier(), d.noiseMultiplier()))
                .criticLearningRate(or(s.criticLearningRate(), d.criticLearningRate()))
                .generatorLearningRate(or(s.generatorLearningRate(), d.generatorLearningRate()))
                .imagesEvery(or(s.imagesEvery(), d.imagesEvery()))
                .seed(or(s.seed(), d.seed()))
                .build();
        if (s.clipQuantile() == null) {
            return c;
        }
        AdaptiveClip rule = c.adaptiveClip() != null ? c.adaptiveClip()
                : AdaptiveClip.defaults(c.clientsPerRound(), c.noiseMultiplier());
        return c.toBuilder().adaptiveClip(new AdaptiveClip(s.clipQuantile(),
                or(s.clipLearningRate(), rule.learningRate()), or(s.clipCountNoise(), rule.countNoise()))).build();
    }

    /**
     * The inverse: a configuration as fully resolved request settings. {@code config(settings(c, ...))} equals
     * {@code c} when c's penalty weight, batch size and checkpoint interval are {@link GanTrainingConfig#CPU_DEMO}'s:
     * a request does not carry those three.
     */
    public static GanSettings settings(GanTrainingConfig c, Double targetEpsilon, Long seededPrivacyNoise) {
        return GanSettings.builder()
                .preset(c.preset().name().toLowerCase(Locale.ROOT))
                .rounds(c.rounds())
                .clientsPerRound(c.clientsPerRound())
                .criticSteps(c.clientSteps())
                .generatorSteps(c.generatorSteps())
                .criticLearningRate(c.criticLearningRate())
                .generatorLearningRate(c.generatorLearningRate())
                .clip(c.clip())
                .noiseMultiplier(c.noiseMultiplier())
                .loss(c.loss().name())
                .imagesEvery(c.imagesEvery())
                .seed(c.seed())
                .targetEpsilon(targetEpsilon)
                .seededPrivacyNoise(seededPrivacyNoise)
                .clipQuantile(c.adaptiveClip() == null ? null : c.adaptiveClip().targetQuantile())
                .clipLearningRate(c.adaptiveClip() == null ? null : c.adaptiveClip().learningRate())
                .clipCountNoise(c.adaptiveClip() == null ? null : c.adaptiveClip().countNoise())
                .build();
    }

    private static <T> T or(T v, T fallback) {
        return v != null ? v : fallback;
    }
}

package dev.fedgan.modelstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.privacy.AdaptiveClip;
import dev.fedgan.protocol.GanSettings;
import org.junit.jupiter.api.Test;

/** A message's settings and the core's configuration map both ways; unset settings take CPU_DEMO's values. */
class GanSettingsMappingTest {

    @Test
    void aConfigurationSurvivesTheRequestSettings() {
        for (GanTrainingConfig c : new GanTrainingConfig[] {GanTrainingConfig.CPU_DEMO,
                GanTrainingConfig.CPU_DEMO.withPreset(GanPreset.TINY).withClients(3, 2).withSeed(5)}) {
            assertEquals(c, GanSettingsMapping.config(GanSettingsMapping.settings(c, null, null)));
        }
        // A request does not carry the penalty weight, batch size or checkpoint interval: they are CPU_DEMO's.
        assertEquals(GanTrainingConfig.REFERENCE.toBuilder().checkpointEvery(50).build(),
                GanSettingsMapping.config(GanSettingsMapping.settings(GanTrainingConfig.REFERENCE, null, null)));
    }

    @Test
    void unsetSettingsTakeTheCpuDemosValues() {
        assertEquals(GanTrainingConfig.CPU_DEMO, GanSettingsMapping.config(null));
        assertEquals(GanTrainingConfig.CPU_DEMO, GanSettingsMapping.config(GanSettings.builder().build()));
        assertEquals(GanTrainingConfig.CPU_DEMO.toBuilder().preset(GanPreset.TINY).rounds(3).clientsPerRound(2)
                .clientSteps(1).generatorSteps(1).seed(5).build(), GanSettingsMapping.config(GanSettings.builder()
                .preset("tiny").rounds(3).clientsPerRound(2).criticSteps(1).generatorSteps(1).seed(5L).build()));
    }

    @Test
    void anAdaptiveClipSurvivesTheRequestAndAQuantileAloneTakesTheDefaults() {
        GanTrainingConfig adaptive = GanTrainingConfig.CPU_DEMO.toBuilder().noiseMultiplier(2)
                .adaptiveClip(new AdaptiveClip(0.7, 0.3, 4)).build();
        GanSettings s = GanSettingsMapping.settings(adaptive, null, null);
        assertEquals(0.7, s.clipQuantile());
        assertEquals(4.0, s.clipCountNoise());
        assertEquals(adaptive, GanSettingsMapping.config(s));
        // m 5, z 2: sigma_b = max(0.25, 4) = 4, eta 0.2.
        assertEquals(new AdaptiveClip(0.6, 0.2, 4), GanSettingsMapping.config(GanSettings.builder().noiseMultiplier(2.0)
                .clipQuantile(0.6).build()).adaptiveClip());
        assertEquals(null, GanSettingsMapping.config(GanSettings.builder().build()).adaptiveClip(), "fixed by default");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GanSettingsMapping.config(GanSettings.builder().clipCountNoise(3.0).build()));
        assertEquals("gan.clip_learning_rate and gan.clip_count_noise set adaptive clipping, which needs"
                + " gan.clip_quantile", e.getMessage());
    }

    @Test
    void theSettingsCarryThePrivacyOptions() {
        GanSettings s = GanSettingsMapping.settings(GanTrainingConfig.CPU_DEMO, 8.0, 42L);
        assertEquals(8.0, s.targetEpsilon());
        assertEquals(42L, s.seededPrivacyNoise());
        assertEquals(null, s.delta());
        assertEquals("compact", s.preset());
        assertEquals("WASSERSTEIN_GP", s.loss());
    }
}

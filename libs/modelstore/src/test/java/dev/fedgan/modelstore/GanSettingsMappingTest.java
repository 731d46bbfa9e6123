package dev.fedgan.modelstore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.GanTrainingConfig;
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
    void theSettingsCarryThePrivacyOptions() {
        GanSettings s = GanSettingsMapping.settings(GanTrainingConfig.CPU_DEMO, 8.0, 42L);
        assertEquals(8.0, s.targetEpsilon());
        assertEquals(42L, s.seededPrivacyNoise());
        assertEquals(null, s.delta());
        assertEquals("compact", s.preset());
        assertEquals("WASSERSTEIN_GP", s.loss());
    }
}

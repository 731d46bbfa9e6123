package dev.fedgan.core.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fedgan.core.privacy.AdaptiveClip;
import org.junit.jupiter.api.Test;

/** The builder makes the same records as the positional constructor, and the record's checks still apply. */
class GanTrainingConfigTest {

    @Test
    void theBuiltReferenceIsThePapersPositionalOne() {
        GanTrainingConfig positional = new GanTrainingConfig(GanPreset.REFERENCE, GanLoss.WASSERSTEIN_GP, 10.0, 6, 6,
                32, 10, 1000, true, 0.1, 0.01, 5e-4, 5e-3, 10, 5, 1, null);
        assertSameFields(positional, GanTrainingConfig.REFERENCE);
    }

    @Test
    void theBuiltCpuDemoIsThePositionalOne() {
        GanTrainingConfig positional = new GanTrainingConfig(GanPreset.COMPACT, GanLoss.WASSERSTEIN_GP, 10.0, 3, 3, 32,
                5, 150, true, 0.1, 0.01, 0.01, 0.1, 10, 50, 1, null);
        assertSameFields(positional, GanTrainingConfig.CPU_DEMO);
    }

    @Test
    void toBuilderCopiesEveryFieldAndChangesOnlyWhatIsSet() {
        GanTrainingConfig copy = GanTrainingConfig.CPU_DEMO.toBuilder().build();
        assertNotSame(GanTrainingConfig.CPU_DEMO, copy);
        assertSameFields(GanTrainingConfig.CPU_DEMO, copy);
        GanTrainingConfig changed = GanTrainingConfig.CPU_DEMO.toBuilder().rounds(20).seed(9).build();
        assertSameFields(new GanTrainingConfig(GanPreset.COMPACT, GanLoss.WASSERSTEIN_GP, 10.0, 3, 3, 32, 5, 20, true,
                0.1, 0.01, 0.01, 0.1, 10, 50, 9, null), changed);
    }

    @Test
    void theWithMethodsKeepTheirMeaning() {
        GanTrainingConfig c = GanTrainingConfig.REFERENCE.withPreset(GanPreset.TINY).withClients(3, 2)
                .withRounds(4, 2).withSeed(5);
        assertSameFields(new GanTrainingConfig(GanPreset.TINY, GanLoss.WASSERSTEIN_GP, 10.0, 2, 2, 32, 3, 4, true,
                0.1, 0.01, 5e-4, 5e-3, 2, 5, 5, null), c);
    }

    @Test
    void theRecordsValidationStillRejectsBuiltValues() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> GanTrainingConfig.REFERENCE.toBuilder().clip(0).build());
        assertEquals("clip norm S must be in (0, 1e12), got 0", zero.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> GanTrainingConfig.REFERENCE.toBuilder().clip(-0.1).build());
        assertEquals("clip norm S must be in (0, 1e12), got -0.1", negative.getMessage());
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                () -> GanTrainingConfig.REFERENCE.toBuilder().batchSize(1).build());
        assertEquals("batch size must be in [2, 4096], got 1", batch.getMessage());
    }

    @Test
    void aFreshBuilderNamesTheFieldsNotSet() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> GanTrainingConfig.builder()
                .preset(GanPreset.TINY).loss(GanLoss.WASSERSTEIN_GP).penaltyWeight(10).clientSteps(1)
                .generatorSteps(1).batchSize(32).clientsPerRound(2).rounds(1).differentialPrivacy(true)
                .noiseMultiplier(0).criticLearningRate(0.1).generatorLearningRate(0.1).imagesEvery(1)
                .checkpointEvery(1).build());
        assertEquals("GanTrainingConfig: not set: clip, seed, adaptiveClip (or fixedClip())", e.getMessage());
    }

    @Test
    void adaptiveClippingNeedsPrivacyAndEnoughCountNoise() {
        AdaptiveClip rule = new AdaptiveClip(0.5, 0.2, 1.0);
        GanTrainingConfig ok = GanTrainingConfig.CPU_DEMO.toBuilder().noiseMultiplier(1.5).adaptiveClip(rule).build();
        assertEquals(1 / Math.sqrt(1 / 2.25 - 1 / 4.0), ok.updateNoiseMultiplier(), 1e-12);
        assertEquals(0.01, GanTrainingConfig.CPU_DEMO.updateNoiseMultiplier());
        IllegalArgumentException tooLittle = assertThrows(IllegalArgumentException.class,
                () -> GanTrainingConfig.CPU_DEMO.toBuilder().noiseMultiplier(2.0).adaptiveClip(rule).build());
        assertEquals("adaptive clipping needs the count noise sigma_b above z/2: sigma_b = 1.0 with z = 2.0; raise"
                + " sigma_b to more than 1.0", tooLittle.getMessage());
        IllegalArgumentException notPrivate = assertThrows(IllegalArgumentException.class,
                () -> GanTrainingConfig.CPU_DEMO.toBuilder().differentialPrivacy(false).adaptiveClip(rule).build());
        assertEquals("adaptive clipping needs differential privacy: without it nothing is clipped",
                notPrivate.getMessage());
    }

    /** Field by field, so that a failure names the field (record equality alone would not). */
    static void assertSameFields(GanTrainingConfig expected, GanTrainingConfig actual) {
        assertEquals(expected.preset(), actual.preset(), "preset");
        assertEquals(expected.loss(), actual.loss(), "loss");
        assertEquals(expected.penaltyWeight(), actual.penaltyWeight(), "penaltyWeight");
        assertEquals(expected.clientSteps(), actual.clientSteps(), "clientSteps");
        assertEquals(expected.generatorSteps(), actual.generatorSteps(), "generatorSteps");
        assertEquals(expected.batchSize(), actual.batchSize(), "batchSize");
        assertEquals(expected.clientsPerRound(), actual.clientsPerRound(), "clientsPerRound");
        assertEquals(expected.rounds(), actual.rounds(), "rounds");
        assertEquals(expected.differentialPrivacy(), actual.differentialPrivacy(), "differentialPrivacy");
        assertEquals(expected.clip(), actual.clip(), "clip");
        assertEquals(expected.noiseMultiplier(), actual.noiseMultiplier(), "noiseMultiplier");
        assertEquals(expected.criticLearningRate(), actual.criticLearningRate(), "criticLearningRate");
        assertEquals(expected.generatorLearningRate(), actual.generatorLearningRate(), "generatorLearningRate");
        assertEquals(expected.imagesEvery(), actual.imagesEvery(), "imagesEvery");
        assertEquals(expected.checkpointEvery(), actual.checkpointEvery(), "checkpointEvery");
        assertEquals(expected.seed(), actual.seed(), "seed");
        assertEquals(expected.adaptiveClip(), actual.adaptiveClip(), "adaptiveClip");
        assertEquals(expected, actual);
    }
}

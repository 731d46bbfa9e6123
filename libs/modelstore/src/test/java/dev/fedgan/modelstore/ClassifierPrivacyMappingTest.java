package dev.fedgan.modelstore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fedgan.core.dpsgd.DpSgdTraining;
import dev.fedgan.core.privacy.Conversion;
import dev.fedgan.protocol.ClassifierPrivacy;
import org.junit.jupiter.api.Test;

/** A request's classifier_privacy as DP-SGD options: given values kept, unset ones the defaults, seeded runs seeded. */
class ClassifierPrivacyMappingTest {

    @Test
    void unsetFieldsTakeTheDefaultsAndTheNoiseIsSecure() {
        DpSgdTraining.Options o = ClassifierPrivacyMapping.options(ClassifierPrivacy.builder().noiseMultiplier(1.1)
                .build(), null, 124_578, null);
        assertEquals(new DpSgdTraining.Options(1.0, 1.1, null, null, Conversion.ORIGINAL, 256, 5, 0.15, 0, 512, 124_578,
                false, false), o);
    }

    @Test
    void theEpochsComeFromClassifierEpochsUnlessGiven() {
        ClassifierPrivacy p = ClassifierPrivacy.builder().targetEpsilon(3.0).build();
        assertEquals(2, ClassifierPrivacyMapping.options(p, 2, 1, null).epochs());
        assertEquals(0.5, ClassifierPrivacyMapping.options(p.toBuilder().epochs(0.5).build(), 2, 1, null).epochs());
        assertEquals(3.0, ClassifierPrivacyMapping.options(p, 2, 1, null).targetEpsilon());
    }

    @Test
    void everyGivenFieldIsKept() {
        ClassifierPrivacy p = new ClassifierPrivacy(0.5, 2.0, null, 1e-6, 64, 3.0, 0.05, 0.9);
        assertEquals(new DpSgdTraining.Options(0.5, 2.0, null, 1e-6, Conversion.ORIGINAL, 64, 3.0, 0.05, 0.9, 512, 7,
                false, false), ClassifierPrivacyMapping.options(p, 10, 7, null));
    }

    @Test
    void aSeededRunIsReproducibleWithThatSeedAndNotPrivate() {
        DpSgdTraining.Options o = ClassifierPrivacyMapping.options(ClassifierPrivacy.builder().noiseMultiplier(1.0)
                .build(), 1, 124_578, 3L);
        assertEquals(true, o.reproducible());
        assertEquals(3L, o.seed());
        assertEquals(false, o.nonPrivate());
    }
}

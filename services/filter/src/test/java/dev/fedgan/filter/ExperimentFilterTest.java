package dev.fedgan.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fedgan.core.classifier.ClassifierTraining;
import dev.fedgan.core.dpsgd.DpSgdTraining;
import dev.fedgan.modelstore.ClassifierPrivacyMapping;
import dev.fedgan.protocol.ClassifierPrivacy;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.MessageException;
import dev.fedgan.protocol.ObjectRef;
import org.junit.jupiter.api.Test;

/**
 * The filter's rules for a request with {@code classifier_privacy}, without a broker or a store: the DP-SGD options
 * it trains with (the shared mapping, the ordinary training's seed, seeded only in a seeded run) and the request it
 * refuses. {@code FilterServiceTest} checks the stored guarantee.
 */
class ExperimentFilterTest {

    static final ClassifierPrivacy DP = ClassifierPrivacy.builder().noiseMultiplier(1.1).batch(128).build();

    static ExperimentRequest.Builder request() {
        return ExperimentRequest.builder().experimentId("e1").data("bundled:field").invertProbability(0.5).bugSeed(7)
                .classifierPrivacy(DP);
    }

    @Test
    void aRequestForPrivacyTrainsWithSecureNoiseAndTheOrdinarySeed() {
        DpSgdTraining.Options o = ExperimentFilter.privateTrainingOptions(request().classifierEpochs(2).build());
        assertEquals(ClassifierPrivacyMapping.options(DP, 2, ClassifierTraining.Options.DEFAULT.seed(), null), o);
        assertEquals(false, o.reproducible());
        assertEquals(2, o.epochs());
        assertEquals(128, o.expectedBatch());
    }

    @Test
    void aSeededRunTrainsReproduciblyFromItsSeed() {
        DpSgdTraining.Options o = ExperimentFilter.privateTrainingOptions(request()
                .gan(GanSettings.builder().seededPrivacyNoise(3L).build()).build());
        assertEquals(true, o.reproducible(), "seeded sampling and noise: NOT private");
        assertEquals(3L, o.seed());
    }

    @Test
    void aStoredClassifierCannotBeTrainedPrivately() {
        ObjectRef stored = new ObjectRef("fedgan", "classifiers/0123456789abcdef.zip", 10,
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        MessageException e = assertThrows(MessageException.class,
                () -> new ExperimentFilter(null, null, 5, dev.fedgan.core.data.DataRoots.of(java.util.List.of()))
                        .validate(request().classifier(stored).build()));
        assertEquals("classifier_privacy applies to a classifier the filter trains; this request names the stored "
                + "classifier s3://fedgan/classifiers/0123456789abcdef.zip", e.getMessage());
    }
}

package dev.fedgan.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The message builders make the same records as the positional constructors (so the same JSON), and the
 * records' checks still apply to built messages.
 */
class BuildersTest {

    static final ObjectRef REF = MessagesTest.WEIGHTS;

    static final GanSettings POSITIONAL_SETTINGS = new GanSettings("compact", 150, 5, 3, 3, 0.01, 0.1, 0.1, 0.01,
            "WASSERSTEIN_GP", 10, 1L, 8.0, 1e-5, 42L, 0.5, 0.2, 3.0);

    static final GanSettings BUILT_SETTINGS = GanSettings.builder().preset("compact").rounds(150).clientsPerRound(5)
            .criticSteps(3).generatorSteps(3).criticLearningRate(0.01).generatorLearningRate(0.1).clip(0.1)
            .noiseMultiplier(0.01).loss("WASSERSTEIN_GP").imagesEvery(10).seed(1L).targetEpsilon(8.0).delta(1e-5)
            .seededPrivacyNoise(42L).clipQuantile(0.5).clipLearningRate(0.2).clipCountNoise(3.0).build();

    @Test
    void ganSettingsByName() {
        assertEquals(POSITIONAL_SETTINGS, BUILT_SETTINGS);
        assertEquals(new GanSettings("tiny", null, 3, 2, null, null, null, null, null, null, null, 5L, null, null, null,
                null, null, null),
                GanSettings.builder().preset("tiny").clientsPerRound(3).criticSteps(2).seed(5L).build());
        assertEquals(new GanSettings(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null), GanSettings.builder().build(), "nothing set: every field null, every default the service's");
        assertEquals(POSITIONAL_SETTINGS, POSITIONAL_SETTINGS.toBuilder().build());
        assertEquals(null, POSITIONAL_SETTINGS.toBuilder().clip(null).build().clip(), "null unsets a setting");
    }

    @Test
    void anExperimentRequestByName() {
        ExperimentRequest positional = new ExperimentRequest(Messages.SCHEMA, "e1", "bundled:field", "bundled:lab", REF,
                0.5, 7, 0.2, 0.8, POSITIONAL_SETTINGS, 600, 0.8, 5, 8.0,
                new ClassifierPrivacy(1.0, null, 3.0, 1e-6, 256, 2.0, 0.15, 0.0), null);
        ExperimentRequest built = ExperimentRequest.builder().experimentId("e1").data("bundled:field")
                .trainData("bundled:lab").classifier(REF).invertProbability(0.5).bugSeed(7).lowThreshold(0.2)
                .highThreshold(0.8).gan(BUILT_SETTINGS).roundDeadlineSeconds(600).quorum(0.8).classifierEpochs(5)
                .selectionNoiseMultiplier(8.0).classifierPrivacy(ClassifierPrivacy.builder().clip(1.0)
                        .targetEpsilon(3.0).delta(1e-6).batch(256).epochs(2.0).learningRate(0.15).momentum(0.0).build())
                .build();
        assertEquals(positional, built);
        assertEquals(Messages.encode(positional), Messages.encode(built));
        assertEquals(positional, positional.toBuilder().build());
        assertEquals(MessagesTest.request(), ExperimentRequest.builder().experimentId("e1").data("bundled:field")
                .invertProbability(0.5).bugSeed(7).gan(GanSettings.builder().preset("compact").rounds(150)
                        .clientsPerRound(5).criticSteps(3).generatorSteps(3).criticLearningRate(0.01)
                        .generatorLearningRate(0.1).clip(0.1).noiseMultiplier(0.01).imagesEvery(10).seed(1L).build())
                .build());
    }

    @Test
    void classifierPrivacyByName() {
        ClassifierPrivacy p = ClassifierPrivacy.builder().noiseMultiplier(1.1).batch(64).build();
        assertEquals(new ClassifierPrivacy(null, 1.1, null, null, 64, null, null, null), p);
        assertEquals(p, p.toBuilder().build());
        assertEquals(new ClassifierPrivacy(null, null, 2.0, null, 64, null, null, null),
                p.toBuilder().noiseMultiplier(null).targetEpsilon(2.0).build(), "null unsets a setting");
        assertEquals("classifier_privacy: give either noise_multiplier or target_epsilon, not neither",
                reason(() -> ClassifierPrivacy.builder().build()));
        assertEquals("classifier_privacy.batch must be in [1.0, 1000000.0], got 0.0",
                reason(() -> p.toBuilder().batch(0).build()));
        ExperimentRequest r = ExperimentRequest.builder().experimentId("e1").data("bundled:field")
                .classifierPrivacy(p).build();
        assertEquals(p, r.toBuilder().build().classifierPrivacy(), "toBuilder keeps it");
        assertEquals("{\"schema\":1,\"experiment_id\":\"e1\",\"data\":\"bundled:field\",\"invert_probability\":0.0,"
                + "\"bug_seed\":0,\"classifier_privacy\":{\"noise_multiplier\":1.1,\"batch\":64}}", Messages.encode(r));
    }

    @Test
    void theJsonShapeIsTheRecords() {
        ExperimentRequest r = ExperimentRequest.builder().experimentId("e1").data("bundled:field").invertProbability(0.5)
                .bugSeed(7).gan(GanSettings.builder().preset("tiny").clientsPerRound(3).seed(5L).build()).build();
        assertEquals("{\"schema\":1,\"experiment_id\":\"e1\",\"data\":\"bundled:field\",\"invert_probability\":0.5,"
                + "\"bug_seed\":7,\"gan\":{\"preset\":\"tiny\",\"clients_per_round\":3,\"seed\":5}}", Messages.encode(r));
    }

    @Test
    void theOtherMessagesByName() {
        assertEquals(new RoundTask(1, "e1", "low_accuracy", 3, "w07", REF, REF, 99, POSITIONAL_SETTINGS,
                "bundled:field", 0.5, 7, 3), RoundTask.builder().experimentId("e1").gan("low_accuracy").round(3)
                .clientId("w07").generator(REF).critic(REF).clientSeed(99).settings(BUILT_SETTINGS)
                .data("bundled:field").invertProbability(0.5).bugSeed(7).updatePartition(3).build());
        assertEquals(new ClientUpdateReady(1, "e1", "low_accuracy", 3, "w07", REF, 64, 2, true, 0.25),
                ClientUpdateReady.builder().experimentId("e1").gan("low_accuracy").round(3).clientId("w07").delta(REF)
                        .realExamples(64).steps(2).nonFinite(true).loss(0.25).build());
        RoundCompleted completed = new RoundCompleted(1, "e1", "low_accuracy", 4, 0.75, 2.5e4, 3.1e4, 1e-3, REF, REF,
                true, "round limit 4 reached", 523);
        assertEquals(completed, RoundCompleted.builder().experimentId("e1").gan("low_accuracy").round(4)
                .generatorLoss(0.75).epsilon(2.5e4).epsilonOriginal(3.1e4).delta(1e-3).generator(REF).critic(REF).finished(true)
                .stoppedBecause("round limit 4 reached").populationSize(523).build());
        assertEquals(completed, completed.toBuilder().build());
        assertEquals(new ImagesReady(1, "e1", "low_accuracy", 4, REF, 0.71, "INVERTED", 2.1, 180.0, REF, "verdict", 3.5),
                ImagesReady.builder().experimentId("e1").gan("low_accuracy").round(4).grid(REF).meanPixel(0.71)
                        .polarity("INVERTED").classifierScore(2.1).frechetDistance(180.0).report(REF)
                        .verdict("verdict").experimentEpsilon(3.5).build());
    }

    @Test
    void builtMessagesAreCheckedByTheRecords() {
        assertEquals("data is missing", reason(() -> ExperimentRequest.builder().experimentId("e1").build()));
        assertEquals("experiment_id is missing", reason(() -> ExperimentRequest.builder().data("bundled:field").build()));
        assertEquals("invert_probability must be in [0.0, 1.0], got 1.5", reason(() -> ExperimentRequest.builder()
                .experimentId("e1").data("bundled:field").invertProbability(1.5).build()));
        assertEquals("quorum must be in [0.01, 1.0], got 0.0", reason(() -> ExperimentRequest.builder()
                .experimentId("e1").data("bundled:field").quorum(0.0).build()));
        assertEquals("unknown schema version 2 (this build reads 1)", reason(() -> ExperimentRequest.builder()
                .schema(2).experimentId("e1").data("bundled:field").build()));
        assertEquals("round must be in [1.0, 1000000.0], got 0.0", reason(() -> RoundCompleted.builder()
                .experimentId("e1").gan("low_accuracy").generator(REF).critic(REF).build()));
        assertEquals("critic is missing", reason(() -> RoundTask.builder().experimentId("e1").gan("low_accuracy")
                .clientId("w07").generator(REF).data("bundled:field").build()));
        assertEquals("delta is missing", reason(() -> ClientUpdateReady.builder().experimentId("e1")
                .gan("low_accuracy").clientId("w07").build()));
        assertEquals("grid is missing", reason(() -> ImagesReady.builder().experimentId("e1").gan("low_accuracy")
                .build()));
    }

    private static String reason(org.junit.jupiter.api.function.Executable build) {
        return assertThrows(MessageException.class, build).getMessage();
    }
}

package dev.fedgan.aggregator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.gan.FederatedGanTraining;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.PopulationReady;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where the aggregator computes q: from the population's released noisy size N̂, never from its member list. */
class PopulationSizeTest {

    static PopulationReady population(List<String> members, int populationSize, double delta) {
        GanSettings gan = GanSettings.builder().preset("tiny").clientsPerRound(3).seededPrivacyNoise(4L).build();
        ExperimentRequest request = ExperimentRequest.builder().experimentId("q1").data("bundled:field")
                .invertProbability(0.5).bugSeed(7).gan(gan).build();
        return new PopulationReady(1, "q1", "low_accuracy", members, populationSize, delta,
                new ObjectRef("fedgan", "none", 0, "0".repeat(64)), null, request);
    }

    @Test
    void qIsMOverTheNoisySizeAndTheStatementUsesItAndTheExperimentsDelta() {
        List<String> members = List.of("w00", "w01", "w02", "w03", "w04", "w05", "w06", "w07");
        PopulationReady p = population(members, 20, 2e-6);
        GanTrainingConfig config = GanSettingsMapping.config(p.request().gan());
        FederatedGanTraining training = AggregatorService.training(p, config);
        assertEquals(3.0 / 20, training.samplingRate(), 0, "q = m / N̂, not m / members");
        assertEquals(20, training.privacy().population());
        assertEquals(2e-6, training.privacy().delta(), 0);
        assertEquals(members, training.clientIds(), "the members are the clients it samples");
    }

    @Test
    void aNoisySizeBelowMIsRefusedAndAPopulationWithoutMembersIsNot() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AggregatorService.training(population(List.of("w00", "w01", "w02", "w03"), 2, 1e-5),
                        GanSettingsMapping.config(population(List.of(), 2, 1e-5).request().gan())));
        assertTrue(e.getMessage().contains("exceeds the population size (N = 2)"), e.getMessage());
        PopulationReady empty = population(List.of(), 7, 1e-5);
        FederatedGanTraining training = AggregatorService.training(empty, GanSettingsMapping.config(empty.request().gan()));
        assertEquals(3.0 / 7, training.samplingRate(), 0);
        assertTrue(training.beginRound().clients().isEmpty());
    }
}

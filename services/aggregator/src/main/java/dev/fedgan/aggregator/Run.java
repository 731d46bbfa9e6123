package dev.fedgan.aggregator;

import dev.fedgan.core.gan.FederatedGanTraining;
import dev.fedgan.core.gan.GanRunFiles;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.StopRule;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.PopulationReady;
import java.util.concurrent.ScheduledFuture;

/** One GAN being trained: its server state and the round in progress. Guarded by its own lock. */
final class Run {
    final PopulationReady population;
    final GanTrainingConfig config;
    final FederatedGanTraining training;
    final String namespace;
    /** The round in progress: whose updates count, and when it completes or is abandoned. */
    final RoundCollector round;
    /** When the run stops: its round limit, or before ε would exceed its target. */
    final StopRule stopRule;
    /** What the run's gauges read. */
    final AggregatorMetrics.RunGauges gauges;
    /** The stored weights the next round broadcasts, and the round they belong to. */
    ObjectRef generator;
    ObjectRef critic;
    int storedRound = -1;
    /** Time spent reading the round's shares and adding them (for the round's log line). */
    double fetchSeconds;
    ScheduledFuture<?> deadline;
    /** {@code rounds.csv} as {@code fedgan debug} writes it, one row per round so far. */
    final StringBuilder roundsCsv = new StringBuilder(GanRunFiles.ROUNDS_CSV_HEADER);

    Run(PopulationReady population, GanTrainingConfig config, FederatedGanTraining training,
            AggregatorMetrics.RunGauges gauges) {
        this.population = population;
        this.gauges = gauges;
        this.config = config;
        this.training = training;
        this.namespace = ExperimentLayout.namespace(population.experimentId(), population.gan());
        this.round = RoundCollector.of(population.request(), config.differentialPrivacy(), System::nanoTime);
        GanSettings s = population.request().gan();
        this.stopRule = StopRule.of(config, s == null ? null : s.targetEpsilon());
    }

    /** The weights stored with the checkpoint after round {@code round} are what the next round broadcasts. */
    void broadcast(int round, ModelStore.StoredCheckpoint stored) {
        generator = stored.generator();
        critic = stored.critic();
        storedRound = round;
    }
}

package dev.fedgan.aggregator;

import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.PopulationReady;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.inject.Singleton;

/**
 * The aggregator's meters: a counter of rounds completed over all runs, and per run (tagged {@code experiment},
 * {@code gan}) the gauges of its progress ({@link RunGauges}). A singleton, so that the counters are exported from
 * start-up, before a first round.
 *
 * <p>Metrics are released (docs/privacy.md): none depends on a round's sample. There is no count of client updates
 * (received, late, rejected), of abandoned rounds or of deltas, no client's loss and no round duration or
 * completion time; the operators' log has the per-round counts (the aggregator's INFO line per round).
 */
@Singleton
public class AggregatorMetrics {

    private final MeterRegistry registry;
    private final Counter roundsCompleted;
    private final Counter unreleasedDeleted;

    public AggregatorMetrics(MeterRegistry registry) {
        this.registry = registry;
        roundsCompleted = Counter.builder("fedgan.rounds.completed").description("Rounds completed").register(registry);
        unreleasedDeleted = Counter.builder("fedgan.unreleased.objects.deleted")
                .description("Weights and checkpoints of rounds never announced (stored before a crash), deleted when"
                        + " their run resumed")
                .register(registry);
    }

    /** A resumed run deleted {@code objects} weights and checkpoints of rounds after its checkpoint's. */
    void unreleasedDeleted(int objects) {
        unreleasedDeleted.increment(objects);
    }

    /** A round completed. */
    void roundCompleted() {
        roundsCompleted.increment();
    }

    /** The gauges of one run, registered now; they read the returned object for as long as the run keeps it. */
    RunGauges gauges(PopulationReady population) {
        RunGauges run = new RunGauges();
        Tags tags = Tags.of("experiment", population.experimentId(), "gan", population.gan());
        Gauge.builder("fedgan.epsilon", run, r -> r.epsilon).tags(tags)
                .description("Privacy spent so far (improved RDP conversion at the run's delta)").register(registry);
        Gauge.builder("fedgan.rounds", run, r -> r.rounds).tags(tags).description("Rounds completed").register(registry);
        Gauge.builder("fedgan.generator.loss", run, r -> r.generatorLoss).tags(tags)
                .description("Generator loss of the last round's last generator step").register(registry);
        Gauge.builder("fedgan.run.active", run, r -> r.active).tags(tags)
                .description("1 while the GAN trains, 0 once it has stopped (round limit or ε target)").register(registry);
        GanSettings s = population.request().gan();
        if (s != null && s.targetEpsilon() != null) {
            double target = s.targetEpsilon();
            Gauge.builder("fedgan.epsilon.target", () -> target).tags(tags)
                    .description("The run's ε target: it stops before ε would exceed it").register(registry);
        }
        return run;
    }

    /** What one run's gauges read. */
    static final class RunGauges {
        private volatile double epsilon;
        private volatile double rounds;
        private volatile double generatorLoss = Double.NaN;
        /** 1 while the GAN trains, 0 once it has stopped (alerts about rounds look at active runs only). */
        private volatile double active = 1;

        /** Round {@code rounds} was announced, with these values (NaN loss: not known). */
        void announced(double epsilon, int rounds, double generatorLoss) {
            this.epsilon = epsilon;
            this.rounds = rounds;
            this.generatorLoss = generatorLoss;
        }

        /** The run has stopped. */
        void stopped() {
            active = 0;
        }
    }
}

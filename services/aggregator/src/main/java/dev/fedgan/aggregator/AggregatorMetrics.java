package dev.fedgan.aggregator;

import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.PopulationReady;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * The aggregator's meters: counters of rounds and client updates over all runs, and per run (tagged
 * {@code experiment}, {@code gan}) the gauges of its progress ({@link RunGauges}). A singleton, so that the counters
 * are exported from start-up, before a first round.
 */
@Singleton
public class AggregatorMetrics {

    private final MeterRegistry registry;
    private final Counter roundsCompleted;
    private final Counter updatesReceived;
    private final Counter updatesLate;
    private final Counter updatesRejected;
    private final Timer roundDuration;
    private final Counter roundsAbandoned;
    private final Counter unreleasedDeleted;

    public AggregatorMetrics(MeterRegistry registry) {
        this.registry = registry;
        roundsCompleted = Counter.builder("fedgan.rounds.completed").description("Rounds completed").register(registry);
        updatesReceived = Counter.builder("fedgan.updates").tag("outcome", "received")
                .description("Client updates by outcome").register(registry);
        updatesLate = Counter.builder("fedgan.updates").tag("outcome", "late")
                .description("Client updates by outcome").register(registry);
        updatesRejected = Counter.builder("fedgan.updates").tag("outcome", "rejected")
                .description("Client updates by outcome").register(registry);
        roundDuration = Timer.builder("fedgan.round.duration").description("Wall time of a round").register(registry);
        roundsAbandoned = Counter.builder("fedgan.rounds.abandoned")
                .description("Rounds dropped at their deadline without a quorum (nothing released)").register(registry);
        unreleasedDeleted = Counter.builder("fedgan.unreleased.objects.deleted")
                .description("Weights and checkpoints of rounds never announced (stored before a crash), deleted when"
                        + " their run resumed")
                .register(registry);
    }

    /** A client update was added to its round's sum. */
    void updateReceived() {
        updatesReceived.increment();
    }

    /** A client update came for no round in progress, another round, or from a client not in the sample. */
    void updateLate() {
        updatesLate.increment();
    }

    /** A client update's delta could not be used. */
    void updateRejected() {
        updatesRejected.increment();
    }

    /** A round was abandoned at its deadline. */
    void roundAbandoned() {
        roundsAbandoned.increment();
    }

    /** A resumed run deleted {@code objects} weights and checkpoints of rounds after its checkpoint's. */
    void unreleasedDeleted(int objects) {
        unreleasedDeleted.increment(objects);
    }

    /** A round completed, {@code wallTime} after it began. */
    void roundCompleted(Duration wallTime) {
        roundDuration.record(wallTime);
        roundsCompleted.increment();
    }

    /** The gauges of one run, registered now; they read the returned object for as long as the run keeps it. */
    RunGauges gauges(PopulationReady population) {
        RunGauges run = new RunGauges();
        Tags tags = Tags.of("experiment", population.experimentId(), "gan", population.gan());
        Gauge.builder("fedgan.epsilon", run, r -> r.epsilon).tags(tags)
                .description("Privacy spent so far (improved RDP conversion at the run's delta)").register(registry);
        Gauge.builder("fedgan.rounds", run, r -> r.rounds).tags(tags).description("Rounds completed").register(registry);
        Gauge.builder("fedgan.round.last.completed.timestamp", run, r -> r.lastCompleted).tags(tags).baseUnit("seconds")
                .description("Unix time the last round completed").register(registry);
        Gauge.builder("fedgan.critic.loss", run, r -> r.criticLoss).tags(tags)
                .description("Mean client critic loss of the last round").register(registry);
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
        private volatile double lastCompleted = Double.NaN;
        private volatile double criticLoss = Double.NaN;
        private volatile double generatorLoss = Double.NaN;
        /** 1 while the GAN trains, 0 once it has stopped (alerts about rounds look at active runs only). */
        private volatile double active = 1;

        /** Round {@code rounds} was announced now, with these values (NaN losses: not known). */
        void announced(double epsilon, int rounds, double criticLoss, double generatorLoss) {
            this.epsilon = epsilon;
            this.rounds = rounds;
            this.lastCompleted = System.currentTimeMillis() / 1000.0;
            this.criticLoss = criticLoss;
            this.generatorLoss = generatorLoss;
        }

        /** The run has stopped. */
        void stopped() {
            active = 0;
        }
    }
}

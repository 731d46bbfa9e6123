package dev.fedgan.aggregator;

import dev.fedgan.core.gan.FederatedGanTraining;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.StepWarmUp;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.MessageException;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.service.ComputeThread;
import dev.fedgan.service.FedganConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Owns the rounds of every GAN it is given (reference section 4.4-4.5): on a {@code populations} message it
 * starts the GAN (server side only: it knows the client ids, never their data), and each round stores the
 * broadcast weights, publishes one {@code round-tasks} message per sampled client (keyed by client, spread over the
 * partitions by {@link TaskPartitions}), collects the {@code client-updates} (the first per client counts, late and
 * duplicate ones are counted and ignored), then completes the round with the core's DP aggregation (it re-clips
 * every delta itself), runs the generator steps, advances the accountant and announces the round on {@code rounds},
 * until the round limit or the ε target.
 *
 * <p>Restarts: the server state of every GAN lives in the object store, not only in memory. When a GAN starts and
 * after every round the aggregator stores a checkpoint (weights, accountant, random streams) and then a run record
 * {@code aggregator/runs/<experiment>.<gan>.json} naming it and the round's announcement; only then are the
 * round's weights announced. A restarted aggregator resumes every unfinished run from its record (on start-up, or
 * when the population arrives again), re-announces the last round (consumers treat a repeated announcement as
 * one) and redraws the round in progress, so no round is lost or applied twice and ε counts exactly the rounds
 * released. Updates answering the lost round's tasks count only if their client is in the new sample. What a
 * round stored before a crash kept it from its record (its weights and checkpoint) is deleted before the resumed run
 * goes on: that round is redone with new noise, and only one noised version of a round may exist.
 *
 * <p>This class keeps the runs: it starts, resumes and forgets them and routes each update to its run, one lock per
 * run. {@link AggregatorListener} consumes the messages, {@link RoundDriver} drives a run's rounds by the rules of
 * its {@link RoundCollector}, {@link RunRecords} stores the run records, {@link DeltaRetention} deletes the deltas
 * and {@link AggregatorMetrics} holds the meters.
 */
@ApplicationScoped
public class AggregatorService {

    private static final Logger LOG = Logger.getLogger(AggregatorService.class);

    private final ModelStore models;
    private final RunRecords records;
    private final RoundDriver driver;
    private final ComputeThread compute;
    private final TaskPartitions partitions;
    private final AggregatorMetrics metrics;
    private final Map<String, Run> runs = new ConcurrentHashMap<>();

    public AggregatorService(ModelStore models, RunRecords records, RoundDriver driver, ComputeThread compute,
            TaskPartitions partitions, AggregatorMetrics metrics) {
        this.models = models;
        this.records = records;
        this.driver = driver;
        this.compute = compute;
        this.partitions = partitions;
        this.metrics = metrics;
    }

    /**
     * On start-up: resume every run the object store says is unfinished (its tasks go out first, so that its clients
     * train while the warm-up runs), then warm up the generator steps on the compute thread (work that arrives
     * meanwhile waits for it): {@code fedgan.warm-up.generator-steps} steps of the tiny networks
     * ({@link StepWarmUp}), 0 for none.
     */
    void onStart(@Observes StartupEvent event, FedganConfig config) {
        partitions.refresh();
        resumeRunning();
        compute.warmUp("generator steps", config.warmUp().generatorSteps(), StepWarmUp::generatorSteps);
    }

    /** Resumes every unfinished run recorded in the object store that this process is not already training. */
    void resumeRunning() {
        for (String key : records.keys()) {
            try {
                RunRecord record = records.read(key);
                if (!record.finished()) {
                    compute.run(() -> resume(record));
                }
            } catch (RuntimeException e) {
                LOG.errorf(e, "cannot resume the run recorded in %s", records.uri(key));
            }
        }
    }

    /** Forgets every run, as a crash would: for tests of {@link #resumeRunning}. */
    void forgetAll() {
        synchronized (runs) {
            for (Run run : runs.values()) {
                synchronized (run) {
                    driver.forget(run);
                }
            }
            runs.clear();
        }
    }

    /** Starts training the population's GAN, or resumes it from its run record, or ignores it if finished. */
    void population(PopulationReady p) {
        String key = ExperimentLayout.namespace(p.experimentId(), p.gan());
        RunRecord record = records.find(key);
        if (record != null) {
            if (record.finished()) {
                LOG.infof("population %s again: its training is finished, ignored", key);
            } else {
                compute.run(() -> resume(record));
            }
            return;
        }
        compute.run(() -> start(p)); // building and storing the networks is ND4J work (ComputeThread says why)
    }

    private void start(PopulationReady p) {
        String key = ExperimentLayout.namespace(p.experimentId(), p.gan());
        GanTrainingConfig config;
        FederatedGanTraining training;
        try {
            config = GanSettingsMapping.config(p.request().gan());
            training = training(p, config);
        } catch (IllegalArgumentException e) {
            throw new MessageException("experiment " + key + ": " + e.getMessage(), e);
        }
        Run run;
        synchronized (runs) {
            if (runs.containsKey(key)) {
                LOG.infof("population %s again: already training it, ignored", key);
                return;
            }
            run = register(new Run(p, config, training, metrics.gauges(p)));
        }
        synchronized (run) {
            driver.first(run);
        }
    }

    /**
     * A new GAN's server state for a population: its members are the clients it samples, each with probability
     * q = m / N̂, N̂ being the population's released noisy size ({@link PopulationReady#populationSize()}), never
     * the number of members (which the released ε must not depend on); the experiment's δ from the message.
     *
     * @throws IllegalArgumentException if N̂ &lt; m, or a setting is absurd
     */
    static FederatedGanTraining training(PopulationReady p, GanTrainingConfig config) {
        GanSettings s = p.request().gan();
        return FederatedGanTraining.startRemote(config, p.clients(), p.populationSize(), p.delta(),
                s == null ? null : s.seededPrivacyNoise());
    }

    /** Continues a run from its record: the checkpointed state, the last announcement repeated, a fresh round. */
    private void resume(RunRecord record) {
        PopulationReady p = Messages.decode(record.population(), PopulationReady.class);
        String key = ExperimentLayout.namespace(p.experimentId(), p.gan());
        Run run;
        synchronized (runs) {
            if (runs.containsKey(key)) {
                return;
            }
            FederatedGanTraining training = models.getCheckpoint(record.checkpoint());
            run = register(new Run(p, training.config(), training, metrics.gauges(p)));
        }
        synchronized (run) {
            deleteUnreleasedRounds(run);
            driver.resumed(run, record);
        }
    }

    /**
     * Deletes the weights and checkpoints of the run's rounds after its record's checkpoint: a crash after a round's
     * checkpoint but before its run record leaves them unannounced, and the resumed run redoes that round with a new
     * sample and new noise while the accountant counts it once, so the first noised version must not stay beside
     * the second. The record's checkpoint is the last round it names, announced or re-announced now; nothing after it
     * was released.
     */
    private void deleteUnreleasedRounds(Run run) {
        int round = run.training.round();
        int deleted = models.deleteRoundsAfter(run.namespace, round);
        if (deleted > 0) {
            LOG.warnf("experiment %s: deleted %d objects of rounds after round %d, stored but never announced"
                    + " (a crash before their run record)", run.namespace, deleted, round);
            metrics.unreleasedDeleted(deleted);
        }
    }

    private Run register(Run run) {
        runs.put(run.namespace, run);
        return run;
    }

    /** Counts the update into its run's round ({@link RoundDriver#collect}). */
    void collect(ClientUpdateReady u) {
        Run run = runs.get(u.experimentId() + "." + u.gan());
        if (run == null) {
            throw new MessageException("update of client " + u.clientId() + " for unknown experiment "
                    + u.experimentId() + "." + u.gan());
        }
        synchronized (run) {
            driver.collect(run, u);
        }
    }
}

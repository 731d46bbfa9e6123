package dev.fedgan.aggregator;

import dev.fedgan.core.gan.FederatedGanTraining;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.StepWarmUp;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.MessageException;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.protocol.ShareReady;
import dev.fedgan.service.ComputeThread;
import dev.fedgan.service.FedganConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Owns the rounds of every GAN it is given (reference section 4.4-4.5): on a {@code populations} message it
 * starts the GAN (server side only: it knows the client ids, never their data), and each round stores the
 * broadcast weights, opens the round on the shards' partitions, publishes one {@code round-tasks} message per sampled
 * client (keyed by client, spread over the partitions by {@link TaskPartitions}), collects the shards' shares of the
 * {@code client-updates} ({@link AggregatorShards}: they clip and sum), then completes the round with the core's DP
 * aggregation (the noise once, whatever the number of shards), runs the generator steps, advances the accountant and
 * announces the round on {@code rounds}, until the round limit or the ε target.
 *
 * <p>Owner: every replica is one, of the runs whose experiment's key falls in the partitions of {@code populations}
 * Kafka assigned it (one consumer group: Kafka chooses, and moves the partitions of a replica that dies). The
 * shares come on {@code round-shares}, read by the same consumer: the replica holding a partition of one holds the
 * same partition of the other.
 *
 * <p>Restarts: the server state of every GAN lives in the object store, not only in memory. When a GAN starts and
 * after every round the aggregator stores a checkpoint (weights, accountant, random streams) and then a run record
 * {@code aggregator/runs/<experiment>.<gan>.json} naming it and the round's announcement; only then are the
 * round's weights announced. A replica given a partition of {@code populations} (at start-up, or when another
 * replica died) resumes every unfinished run of it from its record, re-announces the last round (consumers treat a
 * repeated announcement as one) and redraws the round in progress (a new plan: shares of the old one do not count),
 * so no round is lost or applied twice and ε counts exactly the rounds released. Updates answering the lost round's
 * tasks count only if their client is in the new sample. What a round stored before a crash kept it from its record
 * (its weights and checkpoint) is deleted before the resumed run goes on: that round is redone with new noise, and
 * only one noised version of a round may exist. A replica that loses a partition forgets its runs at once.
 *
 * <p>This class keeps the runs: it starts, resumes and forgets them and routes each share to its run, one lock per
 * run. {@link AggregatorListener} consumes the messages, {@link RoundDriver} drives a run's rounds by the rules of
 * its {@link RoundCollector}, {@link RunRecords} stores the run records, {@link DeltaRetention} deletes the deltas
 * and shares and {@link AggregatorMetrics} holds the meters.
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
    /** Partitions of populations assigned here, of {@link #ownedOf}; guarded by {@link #runs}' lock. */
    private volatile Set<Integer> owned = Set.of();
    private volatile int ownedOf;
    private final ExecutorService resuming = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fedgan-resume-runs");
        t.setDaemon(true);
        return t;
    });

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
     * On start-up: warm up the generator steps on the compute thread (work that arrives meanwhile waits for it):
     * {@code fedgan.warm-up.generator-steps} steps of the tiny networks ({@link StepWarmUp}), 0 for none. The runs
     * are resumed when Kafka assigns their partitions ({@link #assigned}).
     */
    void onStart(@Observes StartupEvent event, FedganConfig config) {
        partitions.refresh();
        compute.warmUp("generator steps", config.warmUp().generatorSteps(), StepWarmUp::generatorSteps);
    }

    /**
     * The partitions of {@code populations} this replica owns now, of {@code count}: it forgets the runs of any other
     * (another replica resumes them) and resumes, in the background, every unfinished run of these it is not training.
     */
    void assigned(Set<Integer> owned, int count) {
        synchronized (runs) {
            this.owned = Set.copyOf(owned);
            this.ownedOf = count;
            for (Run run : List.copyOf(runs.values())) {
                if (!owns(run.population.experimentId())) {
                    synchronized (run) {
                        driver.forget(run);
                    }
                    runs.remove(run.namespace);
                    LOG.infof("experiment %s: forgotten here, its partition of populations was revoked", run.namespace);
                }
            }
        }
        if (!owned.isEmpty()) {
            resuming.execute(this::resumeRunning);
        }
    }

    /** Whether this replica owns the runs of {@code experimentId}: its key's partition of populations is assigned here. */
    boolean owns(String experimentId) {
        return ownedOf > 0 && owned.contains(
                BuiltInPartitioner.partitionForKey(experimentId.getBytes(StandardCharsets.UTF_8), ownedOf));
    }

    /** Resumes every unfinished run recorded in the object store that this replica owns and is not training. */
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
            if (runs.containsKey(key) || !owns(p.experimentId())) {
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

    /** Whether this replica trains the run of {@code namespace} now (it owns it). */
    boolean trains(String namespace) {
        return runs.containsKey(namespace);
    }

    /**
     * Adds a shard's share to its run's round ({@link RoundDriver#share}). A share of a run this replica does not
     * train (finished, or owned elsewhere since a rebalance) is ignored: its round is redrawn by the run's owner.
     */
    void share(ShareReady s) {
        Run run = runs.get(ExperimentLayout.namespace(s.experimentId(), s.gan()));
        if (run == null) {
            LOG.debugf("share of partition %d for %s.%s round %d: no such run here, ignored", s.partition(),
                    s.experimentId(), s.gan(), s.round() + 1);
            return;
        }
        synchronized (run) {
            driver.share(run, s);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        resuming.shutdownNow();
    }
}

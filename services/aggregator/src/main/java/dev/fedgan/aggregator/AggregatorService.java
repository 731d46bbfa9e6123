package dev.fedgan.aggregator;

import dev.fedgan.core.gan.ClientUpdate;
import dev.fedgan.core.gan.FederatedGanTraining;
import dev.fedgan.core.gan.GanExperiment;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.PopulationComparison;
import dev.fedgan.core.gan.StepWarmUp;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.MessageException;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.protocol.RoundTask;
import dev.fedgan.service.ComputeThread;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.objectstore.StorageException;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
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
 * released. Updates answering the lost round's tasks count only if their client is in the new sample.
 */
@ApplicationScoped
public class AggregatorService {

    private static final Logger LOG = Logger.getLogger(AggregatorService.class);

    private final ModelStore models;
    private final ObjectStore objects;
    private final RunRecords records;
    private final ComputeThread compute;
    private final Emitter<String> tasks;
    private final TaskPartitions partitions;
    private final Emitter<String> rounds;
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final AggregatorMetrics metrics;
    private final java.util.concurrent.ScheduledExecutorService clock =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "fedgan-round-deadlines");
                t.setDaemon(true);
                return t;
            });
    private final DeltaRetention retention;

    public AggregatorService(ModelStore models, ObjectStore objects, RunRecords records, DeltaRetention retention,
            ComputeThread compute,
            @Channel("round-tasks") Emitter<String> tasks, TaskPartitions partitions,
            @Channel("rounds") Emitter<String> rounds, AggregatorMetrics metrics) {
        this.models = models;
        this.objects = objects;
        this.records = records;
        this.retention = retention;
        this.compute = compute;
        this.metrics = metrics;
        this.tasks = tasks;
        this.partitions = partitions;
        this.rounds = rounds;
    }

    /** Generator steps of the tiny networks run when the service starts ({@link StepWarmUp}); 0 runs none. */
    @ConfigProperty(name = "fedgan.warm-up.generator-steps")
    int warmUpSteps;

    /**
     * On start-up: resume every run the object store says is unfinished (its tasks go out first, so that its clients
     * train while the warm-up runs), then warm up the generator steps on the compute thread (work that arrives
     * meanwhile waits for it).
     */
    void onStart(@Observes StartupEvent event) {
        partitions.refresh();
        resumeRunning();
        compute.warmUp("generator steps", warmUpSteps, StepWarmUp::generatorSteps);
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
                    if (run.deadline != null) {
                        run.deadline.cancel(false);
                    }
                    run.round.end();
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
        ExperimentRequest request = p.request();
        GanSettings s = request.gan();
        GanTrainingConfig config;
        FederatedGanTraining training;
        try {
            config = GanSettingsMapping.config(s);
            training = FederatedGanTraining.startRemote(config, p.clients(), s == null ? null : s.delta(),
                    s == null ? null : s.seededPrivacyNoise());
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
            ModelStore.StoredCheckpoint stored = models.putCheckpoint(run.namespace, training);
            run.broadcast(0, stored);
            records.write(run.namespace, run.population, stored.manifest(), null, false);
            LOG.infof("experiment %s: %d clients, %d per round, %d rounds, %s", key, p.clients().size(),
                    config.clientsPerRound(), config.rounds(), training.randomnessDescription());
            startRound(run);
        }
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
            if (record.lastRound() != null) {
                RoundCompleted last = Messages.decode(record.lastRound(), RoundCompleted.class);
                run.gauges.announced(last.epsilon(), last.round(), Double.NaN, Double.NaN);
                rounds.send(KafkaRecord.of(p.experimentId(), record.lastRound()));
            }
            restoreRoundsCsv(run);
            LOG.infof("experiment %s: resumed after round %d from %s", key, run.training.round(),
                    record.checkpoint().uri());
            startRound(run);
            if (run.training.round() > 0) {
                deleteDeltas(run, run.training.round() - 1); // what a crash left between checkpoint and deletion
            }
        }
    }

    private Run register(Run run) {
        runs.put(run.namespace, run);
        return run;
    }

    private static String roundsCsvPath(Run run) {
        return PopulationComparison.ganFile(run.population.gan(), GanExperiment.ROUNDS_CSV);
    }

    /** The per-round log in the experiment's files (what the report links to), rewritten after every round. */
    private void storeRoundsCsv(Run run) {
        models.putFile(run.population.experimentId(), roundsCsvPath(run),
                run.roundsCsv.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** After a restart: the stored rows up to the checkpoint's round (a row of a round redone now is dropped). */
    private void restoreRoundsCsv(Run run) {
        String key = ExperimentLayout.file(run.population.experimentId(), roundsCsvPath(run));
        if (!objects.exists(key)) {
            return;
        }
        String[] lines = new String(objects.get(key), StandardCharsets.UTF_8).split("\n");
        for (int i = 1; i < lines.length; i++) {
            String round = lines[i].substring(0, Math.max(0, lines[i].indexOf(',')));
            if (round.matches("\\d+") && Integer.parseInt(round) <= run.training.round()) {
                run.roundsCsv.append(lines[i]).append('\n');
            }
        }
    }

    /**
     * Counts the update into its round. An update whose delta cannot be used (missing or corrupt object, another
     * layout, NaN or infinite values) is counted as rejected, enters the round as nothing, and is then thrown so
     * that the record goes to the dead-letter topic with the reason.
     */
    void collect(ClientUpdateReady u) {
        Run run = runs.get(u.experimentId() + "." + u.gan());
        if (run == null) {
            throw new MessageException("update of client " + u.clientId() + " for unknown experiment "
                    + u.experimentId() + "." + u.gan());
        }
        RuntimeException unusable = null;
        synchronized (run) {
            RoundCollector.Arrival arrival = run.round.arrive(u.round(), u.clientId());
            if (arrival.late()) {
                metrics.updateLate();
            }
            switch (arrival) {
                case NO_ROUND -> deleteDeltas(run, u.round()); // the run is over; else the deletion after this round takes it
                case NOT_SAMPLED -> // an answer to an abandoned sample of this round, or a client that was never asked
                    LOG.warnf("%s round %d: update of %s, not in the current sample, ignored", run.namespace,
                            u.round() + 1, u.clientId());
                default -> {
                }
            }
            if (arrival != RoundCollector.Arrival.EXPECTED) {
                return; // late, or a redelivered or duplicated update (it counts once)
            }
            RoundCollector.Progress progress;
            long t0 = System.nanoTime();
            try {
                float[] delta = models.getDelta(u.delta(), Math.toIntExact(run.training.critic().length()));
                int bad = 0;
                for (float v : delta) {
                    bad += Float.isFinite(v) ? 0 : 1;
                }
                if (bad > 0) {
                    throw new StorageException(StorageException.Reason.INVALID, u.delta().key(), u.delta().uri()
                            + ": the delta has " + bad + " NaN or infinite values");
                }
                run.training.addUpdate(run.round.plan(), new ClientUpdate(u.clientId(), u.round(), delta,
                        u.realExamples(), u.steps(), u.nonFinite(), u.loss())); // clipped and summed now
                progress = run.round.added(u.clientId());
                run.fetchSeconds += (System.nanoTime() - t0) / 1e9;
                metrics.updateReceived();
            } catch (StorageException e) {
                progress = run.round.rejected(u.clientId());
                metrics.updateRejected();
                unusable = new StorageException(e.reason(), e.key(), run.namespace + " round " + (u.round() + 1)
                        + ": update of " + u.clientId() + " rejected: " + e.getMessage(), e);
            }
            if (progress == RoundCollector.Progress.COMPLETE) {
                compute.run(() -> completeRound(run));
            }
        }
        if (unusable != null) {
            throw unusable;
        }
    }

    private void startRound(Run run) {
        FederatedGanTraining.RoundPlan plan = run.training.beginRound();
        run.round.begin(plan);
        scheduleDeadline(run, plan);
        int r = plan.round();
        if (run.storedRound != r) { // after a restart: the checkpoint's weights are stored, but their claims not known
            run.generator = models.putWeights(run.namespace, "generator", r, run.training.generator());
            run.critic = models.putWeights(run.namespace, "critic", r, run.training.critic());
            run.storedRound = r;
        }
        ExperimentRequest q = run.population.request();
        for (int k = 0; k < plan.clients().size(); k++) {
            String client = plan.clients().get(k);
            RoundTask task = new RoundTask(Messages.SCHEMA, q.experimentId(), run.population.gan(), r, client, run.generator,
                    run.critic, plan.clientSeeds()[k], q.gan(), q.data(), q.invertProbability(), q.bugSeed());
            tasks.send(KafkaRecord.of(partitions.topic(), client, Messages.encode(task), null, partitions.of(k, r)));
        }
        partitions.refresh(); // for the next round
    }

    private void scheduleDeadline(Run run, FederatedGanTraining.RoundPlan plan) {
        run.deadline = clock.schedule(() -> onDeadline(run, plan), run.round.nanosToDeadline(),
                java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /**
     * The round's deadline: with a quorum of m (default 80%) it completes with what arrived, the denominator
     * staying m; without, it is abandoned (nothing released, nothing accounted) and a new sample is drawn.
     */
    private void onDeadline(Run run, FederatedGanTraining.RoundPlan plan) {
        synchronized (run) {
            try {
                RoundCollector.AtDeadline decision = run.round.atDeadline(plan);
                switch (decision) {
                    case PASSED -> { // completed in time
                    }
                    case NOT_DUE -> scheduleDeadline(run, plan);
                    case COMPLETE -> {
                        LOG.infof("%s round %d: deadline with %d/%d updates (quorum %d): completing", run.namespace,
                                plan.round() + 1, run.round.added(), plan.clients().size(), run.round.needed());
                        compute.run(() -> completeRound(run));
                    }
                    case ABANDON -> {
                        LOG.warnf("%s round %d: deadline with %d/%d updates, below the quorum of %d: abandoned,"
                                + " resampling", run.namespace, plan.round() + 1, run.round.added(),
                                plan.clients().size(), run.round.needed());
                        run.training.abandonRound(plan);
                        run.abandoned++;
                        metrics.roundAbandoned();
                        run.round.abandon();
                        startRound(run);
                    }
                }
            } catch (RuntimeException e) {
                LOG.errorf(e, "%s round %d: deadline handling failed", run.namespace, plan.round() + 1);
            }
        }
    }

    /** Deletes the run's client deltas through {@code round} once nothing reads them again ({@link DeltaRetention}). */
    private void deleteDeltas(Run run, int round) {
        retention.deleteThrough(run.namespace, round);
    }

    /**
     * Runs on the {@link ComputeThread} (the caller holds the run's lock and waits): aggregation, generator steps,
     * checkpoint, announcement, the next round's tasks.
     */
    private void completeRound(Run run) {
        if (run.deadline != null) {
            run.deadline.cancel(false);
        }
        FederatedGanTraining.RoundPlan plan = run.round.plan();
        FederatedGanTraining.RoundReport report = run.training.completeRound(plan);
        long t1 = System.nanoTime();
        String stopped = run.stopRule.beforeNextRound(run.training); // may the next round run?
        // Checkpoint first: once the weights are announced, a restart must resume after this round.
        ModelStore.StoredCheckpoint stored = models.putCheckpoint(run.namespace, run.training);
        ObjectRef checkpoint = stored.manifest();
        ObjectRef g = stored.generator();
        ObjectRef d = stored.critic();
        run.broadcast(report.round(), stored);
        long t2 = System.nanoTime();
        double seconds = run.round.elapsedNanos() / 1e9;
        metrics.roundCompleted(Duration.ofNanos(run.round.elapsedNanos()));
        var privacy = run.training.privacy();
        RoundCompleted done = new RoundCompleted(Messages.SCHEMA, run.population.experimentId(), run.population.gan(),
                report.round(), plan.clients(), run.round.added(), run.round.late(), run.round.rejected(),
                privacy.epsilonImproved(), privacy.epsilonOriginal(), run.training.delta(), g, d, seconds, stopped != null,
                stopped);
        run.roundsCsv.append(GanExperiment.csvRow(report));
        storeRoundsCsv(run);
        String announcement = Messages.encode(done);
        records.write(run.namespace, run.population, checkpoint, announcement, stopped != null);
        rounds.send(KafkaRecord.of(run.population.experimentId(), announcement));
        deleteDeltas(run, plan.round()); // the record names this round's checkpoint: no restart reads them again
        run.gauges.announced(privacy.epsilonImproved(), report.round(), report.criticLoss(), report.generatorLoss());
        if (stopped != null) {
            run.gauges.stopped();
        }
        LOG.infof("%s round %d: %d/%d updates, ε %.4g, %.1f s (reading and adding deltas %.1f s, noise and average"
                + " %.1f s, generator %.1f s, checkpoint and weights %.1f s, record and announcement %.1f s)%s",
                run.namespace, report.round(),
                run.round.added(), plan.clients().size(), privacy.epsilonImproved(), seconds, run.fetchSeconds,
                report.aggregationSeconds(), report.generatorSeconds(), (t2 - t1) / 1e9, (System.nanoTime() - t2) / 1e9,
                stopped != null ? "; " + stopped : "");
        run.fetchSeconds = 0;
        run.round.end();
        if (stopped == null) {
            startRound(run);
        }
    }
}

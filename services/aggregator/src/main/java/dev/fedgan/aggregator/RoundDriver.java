package dev.fedgan.aggregator;

import dev.fedgan.core.gan.ClientUpdate;
import dev.fedgan.core.gan.FederatedGanTraining;
import dev.fedgan.core.gan.GanRunFiles;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.StorageException;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.protocol.RoundTask;
import dev.fedgan.service.ComputeThread;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.inject.Singleton;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

/**
 * Drives the rounds of a {@link Run}, acting on what its {@link RoundCollector} decides: publishes a round's tasks
 * and sets its deadline, adds each expected update's delta to the round's sum, abandons and resamples a round
 * without a quorum, and completes a round. Every method expects the caller to hold the run's lock.
 *
 * <p>Clients are sampled by Poisson draws (each with probability q = m/N), so a round may sample nobody: it then
 * publishes no task and completes at once, with the noise alone (divided by m) and an accountant step.
 *
 * <p>A round completes in this order: checkpoint, {@code rounds.csv}, run record, announcement, deletion of the
 * round's deltas. The checkpoint comes first so that once the weights are announced a restart resumes after this
 * round; the deltas go last because until the record names the checkpoint a restart would need them.
 */
@Singleton
public class RoundDriver {

    private static final Logger LOG = Logger.getLogger(RoundDriver.class);

    private final ModelStore models;
    private final RoundsCsv roundsCsv;
    private final RunRecords records;
    private final DeltaRetention retention;
    private final ComputeThread compute;
    private final AggregatorMetrics metrics;
    private final Emitter<String> tasks;
    private final TaskPartitions partitions;
    private final Emitter<String> rounds;
    /**
     * Tests only: runs between a completed round's checkpoint (and rounds.csv) and its run record, where a crash
     * leaves a stored but unannounced round; a test makes it throw. Does nothing otherwise.
     */
    volatile Consumer<Run> beforeRecord = run -> {
    };
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fedgan-round-deadlines");
        t.setDaemon(true);
        return t;
    });

    public RoundDriver(ModelStore models, RoundsCsv roundsCsv, RunRecords records, DeltaRetention retention,
            ComputeThread compute, AggregatorMetrics metrics, @Channel("round-tasks") Emitter<String> tasks,
            TaskPartitions partitions, @Channel("rounds") Emitter<String> rounds) {
        this.models = models;
        this.roundsCsv = roundsCsv;
        this.records = records;
        this.retention = retention;
        this.compute = compute;
        this.metrics = metrics;
        this.tasks = tasks;
        this.partitions = partitions;
        this.rounds = rounds;
    }

    /** A new run: its first checkpoint and run record, then its first round. */
    void first(Run run) {
        ModelStore.StoredCheckpoint stored = models.putCheckpoint(run.namespace, run.training);
        run.broadcast(0, stored);
        records.write(run.namespace, run.population, stored.manifest(), null, null, false);
        LOG.infof("experiment %s: population size N̂ %d (%d members), %d expected per round (Poisson, q = m/N̂),"
                + " %d rounds, %s", run.namespace, run.training.population(), run.population.clients().size(),
                run.config.clientsPerRound(), run.config.rounds(),
                run.training.randomnessDescription());
        startRound(run);
    }

    /** A run resumed from {@code record}: the last announcement repeated, its rounds.csv rows, a fresh round. */
    void resumed(Run run, RunRecord record) {
        if (record.lastRound() != null) {
            RoundCompleted last = Messages.decode(record.lastRound(), RoundCompleted.class);
            run.gauges.announced(last.epsilon(), last.round(),
                    last.generatorLoss() == null ? Double.NaN : last.generatorLoss());
            // encoded again, not as stored: a record of an earlier version holds fields no longer released
            rounds.send(KafkaRecord.of(run.population.experimentId(), Messages.encode(last)));
        }
        roundsCsv.restore(run);
        LOG.infof("experiment %s: resumed after round %d from %s", run.namespace, run.training.round(),
                record.checkpoint().uri());
        startRound(run);
        if (run.training.round() > 0) {
            retention.deleteThrough(run.namespace, run.training.round() - 1); // left between checkpoint and deletion
        }
    }

    /** Stops the run's deadline and forgets its round in progress, as a crash would. */
    void forget(Run run) {
        if (run.deadline != null) {
            run.deadline.cancel(false);
        }
        run.round.end();
    }

    /**
     * Counts the update into its round. An update whose delta cannot be used (missing or corrupt object, another
     * layout, NaN or infinite values) is counted as rejected, enters the round as nothing, and is then thrown so
     * that the record goes to the dead-letter topic with the reason.
     */
    void collect(Run run, ClientUpdateReady u) {
        RoundCollector.Arrival arrival = run.round.arrive(u.round(), u.clientId());
        switch (arrival) {
            case NO_ROUND -> retention.deleteThrough(run.namespace, u.round()); // else this round's deletion takes it
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
        StorageException unusable = null;
        long t0 = System.nanoTime();
        try {
            float[] delta = usableDelta(run, u.delta());
            run.training.addUpdate(run.round.plan(), new ClientUpdate(u.clientId(), u.round(), delta,
                    u.realExamples(), u.steps(), u.nonFinite(), u.loss())); // clipped and summed now
            progress = run.round.added(u.clientId());
            run.fetchSeconds += (System.nanoTime() - t0) / 1e9;
        } catch (StorageException e) {
            progress = run.round.rejected(u.clientId());
            unusable = new StorageException(e.reason(), e.key(), run.namespace + " round " + (u.round() + 1)
                    + ": update of " + u.clientId() + " rejected: " + e.getMessage(), e);
        }
        if (progress == RoundCollector.Progress.COMPLETE) {
            compute.run(() -> completeRound(run));
        }
        if (unusable != null) {
            throw unusable;
        }
    }

    /** The delta, read with the critic's length; NaN or infinite values make it unusable. */
    private float[] usableDelta(Run run, ObjectRef ref) {
        float[] delta = models.getDelta(ref, Math.toIntExact(run.training.critic().length()));
        int bad = 0;
        for (float v : delta) {
            bad += Float.isFinite(v) ? 0 : 1;
        }
        if (bad > 0) {
            throw new StorageException(StorageException.Reason.INVALID, ref.key(), ref.uri()
                    + ": the delta has " + bad + " NaN or infinite values");
        }
        return delta;
    }

    /**
     * Begins the next round and publishes its tasks. A round that sampled no client completes at once (on the
     * compute thread), and the one after it begins, until a round samples someone or the run stops.
     */
    private void startRound(Run run) {
        FederatedGanTraining.RoundPlan plan;
        while (true) {
            plan = run.training.beginRound();
            run.round.begin(plan);
            if (!plan.clients().isEmpty()) {
                break;
            }
            LOG.infof("%s round %d: no client sampled (Poisson, q = %.4g): completing with the noise alone",
                    run.namespace, plan.round() + 1, run.training.samplingRate());
            if (!compute.call(() -> finishRound(run))) {
                return; // the run stopped
            }
        }
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
            RoundTask task = RoundTask.builder().experimentId(q.experimentId()).gan(run.population.gan())
                    .round(r).clientId(client).generator(run.generator).critic(run.critic)
                    .clientSeed(plan.clientSeeds()[k]).settings(q.gan()).data(q.data())
                    .invertProbability(q.invertProbability()).bugSeed(q.bugSeed()).build();
            tasks.send(KafkaRecord.of(partitions.topic(), client, Messages.encode(task), null, partitions.of(k, r)));
        }
        partitions.refresh(); // for the next round
    }

    private void scheduleDeadline(Run run, FederatedGanTraining.RoundPlan plan) {
        run.deadline = clock.schedule(() -> onDeadline(run, plan), run.round.nanosToDeadline(), TimeUnit.NANOSECONDS);
    }

    /**
     * The round's deadline: with a quorum of the clients sampled (default 80%) it completes with what arrived, the
     * denominator staying m; without, it is abandoned (nothing released, nothing accounted) and a new sample is drawn.
     */
    private void onDeadline(Run run, FederatedGanTraining.RoundPlan plan) {
        synchronized (run) {
            try {
                switch (run.round.atDeadline(plan)) {
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
                        run.round.abandon();
                        startRound(run);
                    }
                }
            } catch (RuntimeException e) {
                LOG.errorf(e, "%s round %d: deadline handling failed", run.namespace, plan.round() + 1);
            }
        }
    }

    /**
     * Runs on the {@link ComputeThread} (the caller holds the run's lock and waits): aggregation, generator steps,
     * checkpoint, announcement, the next round's tasks.
     */
    private void completeRound(Run run) {
        if (finishRound(run)) {
            startRound(run);
        }
    }

    /**
     * Completes the round in progress: aggregation, generator steps, checkpoint, rounds.csv, record, announcement.
     * On the {@link ComputeThread}. Returns whether the run goes on.
     */
    private boolean finishRound(Run run) {
        if (run.deadline != null) {
            run.deadline.cancel(false);
        }
        FederatedGanTraining.RoundPlan plan = run.round.plan();
        FederatedGanTraining.RoundReport report = run.training.completeRound(plan);
        long t1 = System.nanoTime();
        String stopped = run.stopRule.beforeNextRound(run.training); // may the next round run?
        ModelStore.StoredCheckpoint stored = models.putCheckpoint(run.namespace, run.training);
        run.broadcast(report.round(), stored);
        long t2 = System.nanoTime();
        double seconds = run.round.elapsedNanos() / 1e9;
        metrics.roundCompleted();
        var privacy = run.training.privacy();
        // released: nothing about the round's sample (who, how many answered, late or rejected, how long)
        RoundCompleted done = RoundCompleted.builder().experimentId(run.population.experimentId())
                .gan(run.population.gan()).round(report.round()).generatorLoss(report.generatorLoss())
                .epsilon(privacy.epsilonImproved()).epsilonOriginal(privacy.epsilonOriginal())
                .delta(run.training.delta()).generator(stored.generator()).critic(stored.critic())
                .finished(stopped != null).stoppedBecause(stopped)
                .populationSize(run.population.populationSize()).build();
        run.roundsCsv.append(GanRunFiles.roundsCsvRow(report));
        roundsCsv.store(run);
        String announcement = Messages.encode(done);
        beforeRecord.accept(run);
        records.write(run.namespace, run.population, stored.manifest(), announcement,
                new RunRecord.Outcome(report.round(), plan.clients().size(), run.round.added(), run.round.rejected(),
                        run.round.late()), stopped != null);
        rounds.send(KafkaRecord.of(run.population.experimentId(), announcement));
        retention.deleteThrough(run.namespace, plan.round()); // the record names this round's checkpoint
        run.gauges.announced(privacy.epsilonImproved(), report.round(), report.generatorLoss());
        if (stopped != null) {
            run.gauges.stopped();
        }
        LOG.infof("%s round %d: %d/%d updates (%d rejected, %d late), ε %.4g, %.1f s (reading and adding deltas %.1f s,"
                + " noise and average %.1f s, generator %.1f s, checkpoint and weights %.1f s, record and announcement"
                + " %.1f s)%s", run.namespace, report.round(), run.round.added(), plan.clients().size(),
                run.round.rejected(), run.round.late(), privacy.epsilonImproved(), seconds, run.fetchSeconds,
                report.aggregationSeconds(), report.generatorSeconds(), (t2 - t1) / 1e9, (System.nanoTime() - t2) / 1e9,
                stopped != null ? "; " + stopped : "");
        run.fetchSeconds = 0;
        run.round.end();
        return stopped == null;
    }
}

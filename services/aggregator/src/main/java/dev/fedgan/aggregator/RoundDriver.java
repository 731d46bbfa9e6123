package dev.fedgan.aggregator;

import dev.fedgan.core.gan.FederatedGanTraining;
import dev.fedgan.core.gan.GanRunFiles;
import dev.fedgan.core.gan.RoundShare;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.StorageException;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.MessageException;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RoundClosing;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.protocol.RoundOpened;
import dev.fedgan.protocol.RoundTask;
import dev.fedgan.protocol.ShareReady;
import dev.fedgan.service.ComputeThread;
import dev.fedgan.service.Sent;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

/**
 * Drives the rounds of a {@link Run} at its owner, acting on what its {@link RoundCollector} decides: opens a round
 * on the shards' partitions, publishes its tasks and sets its deadline, adds each expected share to the round's sum,
 * closes the round at its deadline, abandons and resamples a round without a quorum, and completes a round. Every
 * method expects the caller to hold the run's lock.
 *
 * <p>Clients are sampled by Poisson draws (each with probability q = m/N), so a round may sample nobody: it then
 * publishes no task and completes at once, with the noise alone (divided by m) and an accountant step.
 *
 * <p>A round opens with one {@link RoundOpened} per partition of {@code client-updates} that its clients answer on
 * (round-robin, {@link TaskPartitions#update}), written and acknowledged before any task goes out, so that it
 * precedes every update of the round in its partition. Each task names its update's partition.
 *
 * <p>A round completes in this order: checkpoint, {@code rounds.csv}, run record, announcement, deletion of the
 * round's deltas and shares. The checkpoint comes first so that once the weights are announced a restart resumes
 * after this round; the deltas go last because until the record names the checkpoint a restart would need them.
 */
@Singleton
public class RoundDriver {

    private static final Logger LOG = Logger.getLogger(RoundDriver.class);
    private static final SecureRandom PLAN_IDS = new SecureRandom();
    /** After a round's closings, how long until the partitions still missing are asked again. */
    static final int CLOSING_AGAIN_SECONDS = 30;

    private final ModelStore models;
    private final RoundsCsv roundsCsv;
    private final RunRecords records;
    private final DeltaRetention retention;
    private final ComputeThread compute;
    private final AggregatorMetrics metrics;
    private final Emitter<String> tasks;
    private final TaskPartitions partitions;
    private final Emitter<String> rounds;
    private final Emitter<String> plans;
    private final LocalShares local;
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
            TaskPartitions partitions, @Channel("rounds") Emitter<String> rounds,
            @Channel("round-plans") Emitter<String> plans, LocalShares local) {
        this.models = models;
        this.roundsCsv = roundsCsv;
        this.records = records;
        this.retention = retention;
        this.compute = compute;
        this.metrics = metrics;
        this.tasks = tasks;
        this.partitions = partitions;
        this.rounds = rounds;
        this.plans = plans;
        this.local = local;
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
        local.dropThrough(run.namespace, Integer.MAX_VALUE);
    }

    /**
     * Adds a shard's share to its round. A share that cannot be used (missing or corrupt object, another round's or
     * clip's, a client not sampled) counts as a partition that answered nothing, and is then thrown so that the
     * record goes to the dead-letter topic with the reason.
     */
    void share(Run run, ShareReady s) {
        RoundCollector.Arrival arrival = run.round.arrive(s.round(), s.plan(), s.partition());
        if (arrival != RoundCollector.Arrival.EXPECTED) {
            LOG.debugf("%s round %d: share of partition %d (plan %s) ignored: %s", run.namespace, s.round() + 1,
                    s.partition(), s.plan(), arrival);
            return; // another plan's, or a redelivered or duplicated share (it counts once)
        }
        RoundCollector.Progress progress;
        RuntimeException unusable = null;
        long t0 = System.nanoTime();
        try {
            RoundShare share = s.share() != null ? models.getShare(s.share())
                    : local.take(run.namespace, s.plan(), s.partition());
            if (share == null) {
                throw new IllegalArgumentException("the share is not held in this replica's memory");
            }
            run.training.addShare(run.round.plan(), share);
            progress = run.round.added(s.partition(), share.clients().size(), s.rejected(), s.late());
        } catch (StorageException | IllegalArgumentException e) {
            progress = run.round.added(s.partition(), 0, 0, s.late());
            unusable = new MessageException(run.namespace + " round " + (s.round() + 1) + ": share of partition "
                    + s.partition() + " rejected: " + e.getMessage(), e);
        }
        run.fetchSeconds += (System.nanoTime() - t0) / 1e9;
        act(run, progress);
        if (unusable != null) {
            throw unusable;
        }
    }

    /** Completes or abandons the round when its shares say so. */
    private void act(Run run, RoundCollector.Progress progress) {
        switch (progress) {
            case WAITING -> {
            }
            case COMPLETE -> compute.run(() -> completeRound(run));
            case ABANDON -> {
                FederatedGanTraining.RoundPlan plan = run.round.plan();
                LOG.warnf("%s round %d: closed at the deadline with %d/%d updates, below the quorum of %d: abandoned,"
                        + " resampling", run.namespace, plan.round() + 1, run.round.added(), plan.clients().size(),
                        run.round.needed());
                run.training.abandonRound(plan);
                run.round.abandon();
                startRound(run);
            }
        }
    }

    /**
     * Begins the next round and publishes its tasks. A round that sampled no client completes at once (on the
     * compute thread), and the one after it begins, until a round samples someone or the run stops.
     */
    private void startRound(Run run) {
        FederatedGanTraining.RoundPlan plan;
        while (true) {
            plan = run.training.beginRound();
            run.round.begin(plan, null, Map.of());
            if (!plan.clients().isEmpty()) {
                break;
            }
            LOG.infof("%s round %d: no client sampled (Poisson, q = %.4g): completing with the noise alone",
                    run.namespace, plan.round() + 1, run.training.samplingRate());
            if (!compute.call(() -> finishRound(run))) {
                return; // the run stopped
            }
        }
        int r = plan.round();
        if (run.storedRound != r) { // after a restart: the checkpoint's weights are stored, but their claims not known
            run.generator = models.putWeights(run.namespace, "generator", r, run.training.generator());
            run.critic = models.putWeights(run.namespace, "critic", r, run.training.critic());
            run.storedRound = r;
        }
        ExperimentRequest q = run.population.request();
        int[] updatePartition = new int[plan.clients().size()];
        Map<Integer, List<String>> byPartition = new TreeMap<>();
        for (int k = 0; k < plan.clients().size(); k++) {
            updatePartition[k] = partitions.update(k, r);
            byPartition.computeIfAbsent(updatePartition[k], p -> new ArrayList<>()).add(plan.clients().get(k));
        }
        String planId = newPlanId();
        run.round.begin(plan, planId, byPartition);
        scheduleDeadline(run, plan);
        open(run, plan, planId, byPartition);
        int size = run.training.groupSize(); // a small critic's clients train in groups, as in one JVM
        for (int g = 0; g < run.training.groups(plan); g++) {
            int k = g * size;
            String client = plan.clients().get(k);
            List<RoundTask.Member> group = new ArrayList<>();
            for (int j = k + 1; j < Math.min(plan.clients().size(), k + size); j++) {
                group.add(new RoundTask.Member(plan.clients().get(j), plan.clientSeeds()[j], updatePartition[j]));
            }
            RoundTask task = RoundTask.builder().experimentId(q.experimentId()).gan(run.population.gan())
                    .round(r).clientId(client).generator(run.generator).critic(run.critic)
                    .clientSeed(plan.clientSeeds()[k]).settings(q.gan()).data(q.data())
                    .invertProbability(q.invertProbability()).bugSeed(q.bugSeed())
                    .updatePartition(updatePartition[k]).group(group.isEmpty() ? null : group).build();
            tasks.send(KafkaRecord.of(partitions.topic(), client, Messages.encode(task), null, partitions.of(g, r)));
        }
        partitions.refresh(); // for the next round
    }

    /** A fresh plan id: 8 random bytes as hex, so that a redrawn round's shares never pass for another's. */
    private static String newPlanId() {
        byte[] id = new byte[8];
        PLAN_IDS.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    /**
     * Writes the round's plan to each partition of {@code client-updates} its clients answer on, and waits until the
     * broker has every one: only then may the tasks go out. A plan the broker refused (Kafka down longer than the
     * producer's delivery timeout) is sent again until it is taken: the round cannot start without it.
     */
    private void open(Run run, FederatedGanTraining.RoundPlan plan, String planId,
            Map<Integer, List<String>> byPartition) {
        Double clip = run.config.differentialPrivacy() ? run.training.clip() : null;
        int length = Math.toIntExact(run.training.critic().length());
        Map<Integer, String> pending = new TreeMap<>();
        byPartition.forEach((partition, clients) -> pending.put(partition, Messages.encode(new RoundOpened(
                Messages.SCHEMA, run.population.experimentId(), run.population.gan(), plan.round(), planId, clients,
                clip, length))));
        while (!pending.isEmpty()) {
            Map<Integer, CompletableFuture<Void>> sent = new TreeMap<>();
            pending.forEach((partition, json) -> sent.put(partition,
                    Sent.keyed(plans, run.population.experimentId(), json, partition,
                            Messages.type(RoundOpened.class))));
            for (Map.Entry<Integer, CompletableFuture<Void>> e : sent.entrySet()) {
                try {
                    e.getValue().get();
                    pending.remove(e.getKey());
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while opening " + run.namespace + " round "
                            + (plan.round() + 1), x);
                } catch (ExecutionException x) {
                    LOG.warnf("%s round %d: the plan for partition %d of %s was not taken (%s): sending it again",
                            run.namespace, plan.round() + 1, e.getKey(), partitions.updatesTopic(),
                            x.getCause() == null ? x.getMessage() : x.getCause().getMessage());
                }
            }
        }
    }

    private void scheduleDeadline(Run run, FederatedGanTraining.RoundPlan plan) {
        run.deadline = clock.schedule(() -> onDeadline(run, plan), run.round.nanosToDeadline(), TimeUnit.NANOSECONDS);
    }

    /**
     * The round's deadline: asks every partition whose share is missing to send it as it is ({@link RoundClosing});
     * the round then completes, or without DP is abandoned below its quorum, when they have.
     */
    private void onDeadline(Run run, FederatedGanTraining.RoundPlan plan) {
        synchronized (run) {
            try {
                switch (run.round.atDeadline(plan)) {
                    case PASSED -> { // completed in time
                    }
                    case NOT_DUE -> scheduleDeadline(run, plan);
                    case CLOSE -> {
                        Set<Integer> missing = run.round.missing();
                        LOG.infof("%s round %d: deadline with %d/%d updates in the shares so far: closing %d"
                                + " partitions", run.namespace, plan.round() + 1, run.round.added(),
                                plan.clients().size(), missing.size());
                        for (int partition : missing) {
                            Sent.keyed(plans, run.population.experimentId(), Messages.encode(new RoundClosing(
                                    Messages.SCHEMA, run.population.experimentId(), run.population.gan(),
                                    plan.round(), run.round.planId())), partition,
                                    Messages.type(RoundClosing.class));
                        }
                        // closings lost to an outage, or a partition whose shard is moving: ask again until answered
                        run.deadline = clock.schedule(() -> onDeadline(run, plan), CLOSING_AGAIN_SECONDS,
                                TimeUnit.SECONDS);
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
        retention.deleteThrough(run.namespace, plan.round()); // the record names this round's checkpoint; and shares
        local.dropThrough(run.namespace, plan.round());
        run.gauges.announced(privacy.epsilonImproved(), report.round(), report.generatorLoss());
        if (stopped != null) {
            run.gauges.stopped();
        }
        LOG.infof("%s round %d: %d/%d updates (%d rejected, %d late), ε %.4g, %.1f s (reading and adding shares %.1f s,"
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

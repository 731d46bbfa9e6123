package dev.fedgan.aggregator;

import dev.fedgan.core.gan.ClientUpdate;
import dev.fedgan.core.gan.FederatedGanTraining;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.MessageException;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.protocol.RoundTask;
import dev.fedgan.storage.GanSettingsMapping;
import dev.fedgan.storage.ModelStore;
import dev.fedgan.storage.StorageException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Owns the rounds of every GAN it is given (reference section 4.4-4.5): on a {@code populations} message it
 * starts the GAN (server side only: it knows the client ids, never their data), and each round stores the
 * broadcast weights, publishes one {@code round-tasks} message per sampled client (keyed by client), collects
 * the {@code client-updates} (the first per client counts, late and duplicate ones are counted and ignored), then
 * completes the round with the core's DP aggregation (it re-clips every delta itself), runs the generator steps,
 * advances the accountant and announces the round on {@code rounds}, until the round limit or the ε target.
 */
@ApplicationScoped
public class AggregatorService {

    private static final Logger LOG = Logger.getLogger(AggregatorService.class);

    /** One GAN being trained: its server state and the round in progress. */
    static final class Run {
        final PopulationReady population;
        final GanTrainingConfig config;
        final FederatedGanTraining training;
        final String namespace;
        FederatedGanTraining.RoundPlan plan;
        ObjectRef generator;
        ObjectRef critic;
        final Map<String, ClientUpdate> received = new LinkedHashMap<>();
        final Set<String> rejected = new HashSet<>();
        int late;
        long roundStarted;
        int abandoned;
        java.util.concurrent.ScheduledFuture<?> deadline;

        Run(PopulationReady population, GanTrainingConfig config, FederatedGanTraining training) {
            this.population = population;
            this.config = config;
            this.training = training;
            this.namespace = population.experimentId() + "." + population.gan();
        }
    }

    private final ModelStore models;
    private final Emitter<String> tasks;
    private final Emitter<String> rounds;
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final Counter roundsCompleted;
    private final Counter updatesReceived;
    private final Counter updatesLate;
    private final Counter updatesRejected;
    private final Timer roundDuration;
    private final Counter roundsAbandoned;
    private final java.util.concurrent.ScheduledExecutorService clock =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "fedgan-round-deadlines");
                t.setDaemon(true);
                return t;
            });

    /** Round deadline when the request sets none, seconds. */
    static final int DEFAULT_DEADLINE_SECONDS = 600;
    /** Share of m that must have answered at the deadline when the request sets none. */
    static final double DEFAULT_QUORUM = 0.8;

    public AggregatorService(ModelStore models, @Channel("round-tasks") Emitter<String> tasks,
            @Channel("rounds") Emitter<String> rounds, MeterRegistry registry) {
        this.models = models;
        this.tasks = tasks;
        this.rounds = rounds;
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
    }

    @Incoming("populations")
    @Blocking
    public void onPopulation(String json) {
        PopulationReady p = Messages.decode(json, PopulationReady.class);
        String key = p.experimentId() + "." + p.gan();
        if (runs.containsKey(key)) {
            LOG.infof("population %s again: already training it, ignored", key);
            return;
        }
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
        Run run = new Run(p, config, training);
        runs.put(key, run);
        LOG.infof("experiment %s: %d clients, %d per round, %d rounds, %s", key, p.clients().size(),
                config.clientsPerRound(), config.rounds(), training.randomnessDescription());
        synchronized (run) {
            startRound(run);
        }
    }

    @Incoming("client-updates")
    @Blocking
    public void onClientUpdate(String json) {
        ClientUpdateReady u = Messages.decode(json, ClientUpdateReady.class);
        Run run = runs.get(u.experimentId() + "." + u.gan());
        if (run == null) {
            throw new MessageException("update of client " + u.clientId() + " for unknown experiment "
                    + u.experimentId() + "." + u.gan());
        }
        synchronized (run) {
            if (run.plan == null || u.round() != run.plan.round()) {
                run.late++;
                updatesLate.increment();
                return;
            }
            if (!run.plan.clients().contains(u.clientId())) {
                // Not in the current sample: an answer to an abandoned sample of this round, or a client that was
                // never asked. Either way it must not enter the sum.
                run.late++;
                updatesLate.increment();
                LOG.warnf("%s round %d: update of %s, not in the current sample, ignored", run.namespace,
                        u.round() + 1, u.clientId());
                return;
            }
            if (run.received.containsKey(u.clientId()) || run.rejected.contains(u.clientId())) {
                return; // a redelivered or duplicated update counts once
            }
            try {
                float[] delta = models.getDelta(u.delta(), Math.toIntExact(run.training.critic().length()));
                run.received.put(u.clientId(), new ClientUpdate(u.clientId(), u.round(), delta, u.realExamples(), u.steps(),
                        u.nonFinite(), u.loss()));
                updatesReceived.increment();
            } catch (StorageException e) {
                run.rejected.add(u.clientId());
                updatesRejected.increment();
                LOG.warnf("%s round %d: update of %s rejected: %s", run.namespace, u.round() + 1, u.clientId(), e.getMessage());
            }
            if (run.received.size() + run.rejected.size() == run.plan.clients().size()) {
                completeRound(run);
            }
        }
    }

    private void startRound(Run run) {
        run.plan = run.training.beginRound();
        run.roundStarted = System.nanoTime();
        ExperimentRequest req = run.population.request();
        int seconds = req.roundDeadlineSeconds() != null ? req.roundDeadlineSeconds() : DEFAULT_DEADLINE_SECONDS;
        FederatedGanTraining.RoundPlan plan = run.plan;
        run.deadline = clock.schedule(() -> onDeadline(run, plan), seconds, java.util.concurrent.TimeUnit.SECONDS);
        int r = run.plan.round();
        run.generator = models.putWeights(run.namespace, "generator", r, run.training.generator());
        run.critic = models.putWeights(run.namespace, "critic", r, run.training.critic());
        ExperimentRequest q = run.population.request();
        for (int k = 0; k < run.plan.clients().size(); k++) {
            String client = run.plan.clients().get(k);
            RoundTask task = new RoundTask(Messages.SCHEMA, q.experimentId(), run.population.gan(), r, client, run.generator,
                    run.critic, run.plan.clientSeeds()[k], q.gan(), q.data(), q.invertProbability(), q.bugSeed());
            tasks.send(KafkaRecord.of(client, Messages.encode(task)));
        }
    }

    /**
     * The round's deadline: with a quorum of m (default 80%) it completes with what arrived, the denominator
     * staying m; without, it is abandoned (nothing released, nothing accounted) and a new sample is drawn.
     */
    private void onDeadline(Run run, FederatedGanTraining.RoundPlan plan) {
        synchronized (run) {
            if (run.plan != plan) {
                return; // completed in time
            }
            try {
                ExperimentRequest req = run.population.request();
                double quorum = req.quorum() != null ? req.quorum() : DEFAULT_QUORUM;
                int needed = (int) Math.ceil(quorum * plan.clients().size());
                if (run.received.size() >= needed) {
                    LOG.infof("%s round %d: deadline with %d/%d updates (quorum %d): completing", run.namespace,
                            plan.round() + 1, run.received.size(), plan.clients().size(), needed);
                    completeRound(run);
                } else {
                    LOG.warnf("%s round %d: deadline with %d/%d updates, below the quorum of %d: abandoned, resampling",
                            run.namespace, plan.round() + 1, run.received.size(), plan.clients().size(), needed);
                    run.training.abandonRound(plan);
                    run.abandoned++;
                    roundsAbandoned.increment();
                    run.received.clear();
                    run.rejected.clear();
                    run.plan = null;
                    startRound(run);
                }
            } catch (RuntimeException e) {
                LOG.errorf(e, "%s round %d: deadline handling failed", run.namespace, plan.round() + 1);
            }
        }
    }

    private void completeRound(Run run) {
        if (run.deadline != null) {
            run.deadline.cancel(false);
        }
        FederatedGanTraining.RoundReport report = run.training.completeRound(run.plan, new ArrayList<>(run.received.values()));
        GanTrainingConfig c = run.config;
        String stopped = null;
        Double target = run.population.request().gan() == null ? null : run.population.request().gan().targetEpsilon();
        if (report.round() >= c.rounds()) {
            stopped = "round limit " + c.rounds() + " reached";
        } else if (target != null && run.training.epsilonAfterNextRound() > target) {
            stopped = String.format(Locale.ROOT, "stopped before round %d: ε would exceed the target %.4g",
                    report.round() + 1, target);
        }
        ObjectRef g = models.putWeights(run.namespace, "generator", report.round(), run.training.generator());
        ObjectRef d = models.putWeights(run.namespace, "critic", report.round(), run.training.critic());
        double seconds = (System.nanoTime() - run.roundStarted) / 1e9;
        roundDuration.record(Duration.ofNanos(System.nanoTime() - run.roundStarted));
        roundsCompleted.increment();
        var privacy = run.training.privacy();
        RoundCompleted done = new RoundCompleted(Messages.SCHEMA, run.population.experimentId(), run.population.gan(),
                report.round(), run.plan.clients(), run.received.size(), run.late, run.rejected.size(),
                privacy.epsilonImproved(), privacy.epsilonOriginal(), run.training.delta(), g, d, seconds, stopped != null,
                stopped);
        rounds.send(KafkaRecord.of(run.population.experimentId(), Messages.encode(done)));
        LOG.infof("%s round %d: %d/%d updates, ε %.4g, %.1f s%s", run.namespace, report.round(), run.received.size(),
                run.plan.clients().size(), privacy.epsilonImproved(), seconds, stopped != null ? "; " + stopped : "");
        run.received.clear();
        run.rejected.clear();
        run.late = 0;
        run.plan = null;
        if (stopped == null) {
            startRound(run);
        }
    }
}

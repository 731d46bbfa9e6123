package dev.fedgan.aggregator;

import dev.fedgan.core.dpsgd.DpFedAvgTraining;
import dev.fedgan.core.fairness.FairnessSweep;
import dev.fedgan.modelstore.FairnessSweeps;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.FairnessPointDone;
import dev.fedgan.protocol.FairnessPointTask;
import dev.fedgan.protocol.FairnessRoundTask;
import dev.fedgan.protocol.FairnessUpdateReady;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.service.ComputeThread;
import dev.fedgan.service.DeadLetters;
import dev.fedgan.service.FedganConfig;
import dev.fedgan.service.Sent;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * The server of federated (DP-FedAvg) fairness points: {@code fairness-points} in (every point; the others are the
 * client-update workers'), for each federated point its rounds as the GANs' are run, the users' local training on
 * client-update replicas: per round the server weights stored, a {@code fairness-rounds} task per drawn user, the
 * {@code fairness-updates} read back, clipped, summed in drawn order, noised and divided by m
 * ({@link DpFedAvgTraining.Server}), the round's objects deleted; then the point measured, stored and announced on
 * {@code fairness-results}. The point's task is acknowledged only then: an aggregator that dies mid-point gets it
 * again and runs it anew under a new run id (updates of the old run are ignored, its objects deleted).
 *
 * <p>A user's task lost with its replica is redelivered by Kafka to another; a round waits for every drawn user's
 * update up to {@code fedgan.fairness.round-timeout}, after which the point fails to the dead-letter topic.
 * Updates are unnoised and stay inside the trusted boundary; what is released is the point (metrics on the analyst's
 * test data, and the accounted ε).
 */
@ApplicationScoped
public class FederatedPointRunner {

    private static final Logger LOG = Logger.getLogger(FederatedPointRunner.class);
    private static final long SEND_TIMEOUT_SECONDS = 60;

    private final FairnessSweeps sweeps;
    private final ComputeThread compute;
    private final DeadLetters deadLetters;
    private final Emitter<String> roundTasks;
    private final Emitter<String> results;
    private final Duration roundTimeout;
    /** The updates of the run in progress, by run id. */
    private final Map<String, BlockingQueue<FairnessUpdateReady>> mailboxes = new ConcurrentHashMap<>();

    public FederatedPointRunner(ObjectStore objects, ComputeThread compute, DeadLetters deadLetters,
            @Channel("fairness-rounds") Emitter<String> roundTasks,
            @Channel("fairness-results") Emitter<String> results, FedganConfig config) {
        this.sweeps = new FairnessSweeps(objects);
        this.compute = compute;
        this.deadLetters = deadLetters;
        this.roundTasks = roundTasks;
        this.results = results;
        this.roundTimeout = config.fairness().roundTimeout();
    }

    @Incoming("fairness-points")
    @Blocking
    public void onPoint(String message) {
        try {
            FairnessPointTask task = Messages.decode(message, FairnessPointTask.class);
            if (compute.call(() -> sweeps.isFederated(task))) {
                run(task);
            }
        } catch (RuntimeException e) {
            throw deadLetters.reject("fairness-points", e);
        }
    }

    @Incoming("fairness-updates")
    @Blocking
    public void onUpdate(String message) {
        try {
            FairnessUpdateReady u = Messages.decode(message, FairnessUpdateReady.class);
            BlockingQueue<FairnessUpdateReady> mailbox = mailboxes.get(u.run());
            if (mailbox == null) {
                LOG.debugf("fairness sweep %s point %d: update of user %d for run %s, not running here: ignored",
                        u.experimentId(), u.point() + 1, u.user(), u.run());
            } else {
                mailbox.add(u);
            }
        } catch (RuntimeException e) {
            throw deadLetters.reject("fairness-updates", e);
        }
    }

    private void run(FairnessPointTask task) {
        String name = "fairness sweep " + task.experimentId() + ": point " + (task.point() + 1) + " of " + task.points();
        FairnessPointDone stored = sweeps.storedAlready(task);
        if (stored != null) { // redelivered after it was stored: announced again, never trained twice
            Sent.keyedAndWait(results, stored.experimentId(), Messages.encode(stored), SEND_TIMEOUT_SECONDS,
                    "the result of point " + task.point() + " of sweep " + task.experimentId());
            LOG.infof("%s: stored already, announced again", name);
            return;
        }
        String run = UUID.randomUUID().toString();
        long t0 = System.nanoTime();
        BlockingQueue<FairnessUpdateReady> mailbox = new LinkedBlockingQueue<>();
        mailboxes.put(run, mailbox);
        try {
            FairnessSweep.FederatedPoint point = compute.call(() -> sweeps.startFederated(task));
            DpFedAvgTraining.Server server = point.server();
            LOG.infof("%s: federated, run %s", name, run);
            while (!server.finished()) {
                DpFedAvgTraining.Round r = compute.call(server::begin);
                float[][] updates = collect(task, run, r, compute.call(server::weights), server.length(), mailbox);
                compute.run(() -> server.finish(r, updates));
                sweeps.deleteRound(task, run, r.number());
                LOG.debugf("%s: round %d, %d users", name, r.number(), r.users().length);
            }
            FairnessPointDone done = sweeps.storeFederated(task, compute.call(point::finish));
            Sent.keyedAndWait(results, done.experimentId(), Messages.encode(done), SEND_TIMEOUT_SECONDS,
                    "the result of point " + task.point() + " of sweep " + task.experimentId());
            LOG.info(String.format(Locale.ROOT, "%s done in %.1f s", name, (System.nanoTime() - t0) / 1e9));
        } finally {
            mailboxes.remove(run);
        }
    }

    /** Sends the round's tasks and waits for each drawn user's update, read back in drawn order. */
    private float[][] collect(FairnessPointTask task, String run, DpFedAvgTraining.Round r, float[] weights, int length,
                              BlockingQueue<FairnessUpdateReady> mailbox) {
        int[] users = r.users();
        float[][] updates = new float[users.length][];
        if (users.length == 0) {
            return updates;
        }
        ObjectRef stored = sweeps.putRoundWeights(task, run, r.number(), weights);
        Map<Integer, Integer> position = new java.util.HashMap<>(); // this thread's alone
        for (int k = 0; k < users.length; k++) {
            position.put(users[k], k);
            FairnessRoundTask t = new FairnessRoundTask(Messages.SCHEMA, task.experimentId(), task.point(),
                    task.points(), task.sweep(), run, r.number(), users[k], r.seeds()[k], stored);
            Sent.keyedAndWait(roundTasks, task.experimentId() + "/" + task.point() + "/" + users[k], Messages.encode(t),
                    SEND_TIMEOUT_SECONDS, "a round task of point " + task.point() + " of sweep " + task.experimentId());
        }
        int missing = users.length;
        long deadline = System.nanoTime() + roundTimeout.toNanos();
        while (missing > 0) {
            FairnessUpdateReady u;
            try {
                u = mailbox.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for round " + r.number() + "'s updates", e);
            }
            if (u == null) {
                throw new IllegalStateException(String.format(Locale.ROOT, "point %d of sweep %s, round %d: %d of %d"
                        + " users' updates missing after %s", task.point(), task.experimentId(), r.number(), missing,
                        users.length, roundTimeout));
            }
            Integer k = u.round() == r.number() ? position.get(u.user()) : null;
            if (k == null || updates[k] != null) {
                continue; // another round's, a user not drawn, or a duplicate (a redelivered task): counted once
            }
            updates[k] = sweeps.update(u, length);
            missing--;
        }
        return updates;
    }
}

package dev.fedgan.aggregator;

import dev.fedgan.core.gan.rgb.DcganFederation;
import dev.fedgan.core.gan.rgb.FederationServer;
import dev.fedgan.modelstore.RgbRuns;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RgbRoundDone;
import dev.fedgan.protocol.RgbRoundTask;
import dev.fedgan.protocol.RgbRunTask;
import dev.fedgan.protocol.RgbUpdateReady;
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
 * The server of RGB DCGAN runs: {@code rgb-runs} in; per round the global networks stored, an {@code rgb-rounds}
 * task per participating client (every client at sample level, the round's Poisson draw at user level), their
 * networks from {@code rgb-updates} read back and added in client order ({@link FederationServer}), the round's
 * generator stored and announced on {@code rgb-results} ({@link RgbRuns}). The run's task is acknowledged only at its end: an aggregator that dies mid-run gets it again
 * and goes on after the latest finished round (its checkpoint), so that no round is trained or released twice; a
 * finished run's task only announces its last round again.
 *
 * <p>A client's task lost with its replica is redelivered by Kafka to another, which starts from the same stored
 * state; a round waits for every client's networks up to {@code fedgan.rgb.round-timeout}, after which the run fails
 * to the dead-letter topic. The clients' networks stay inside the trusted boundary; what is released is each round's
 * average and the files drawn from it.
 */
@ApplicationScoped
public class RgbRunner {

    private static final Logger LOG = Logger.getLogger(RgbRunner.class);
    private static final long SEND_TIMEOUT_SECONDS = 60;

    private final RgbRuns runs;
    private final ComputeThread compute;
    private final DeadLetters deadLetters;
    private final Emitter<String> roundTasks;
    private final Emitter<String> results;
    private final Duration roundTimeout;
    /** The updates of the run in progress, by run id. */
    private final Map<String, BlockingQueue<RgbUpdateReady>> mailboxes = new ConcurrentHashMap<>();

    public RgbRunner(ObjectStore objects, ComputeThread compute, DeadLetters deadLetters,
            @Channel("rgb-rounds") Emitter<String> roundTasks, @Channel("rgb-results") Emitter<String> results,
            FedganConfig config) {
        this.runs = new RgbRuns(objects);
        this.compute = compute;
        this.deadLetters = deadLetters;
        this.roundTasks = roundTasks;
        this.results = results;
        this.roundTimeout = config.rgb().roundTimeout();
    }

    @Incoming("rgb-runs")
    @Blocking
    public void onRun(String message) {
        try {
            run(Messages.decode(message, RgbRunTask.class));
        } catch (RuntimeException e) {
            throw deadLetters.reject("rgb-runs", e);
        }
    }

    @Incoming("rgb-updates")
    @Blocking
    public void onUpdate(String message) {
        try {
            RgbUpdateReady u = Messages.decode(message, RgbUpdateReady.class);
            BlockingQueue<RgbUpdateReady> mailbox = mailboxes.get(u.run());
            if (mailbox == null) {
                LOG.debugf("RGB run %s: networks of client %d for run %s, not running here: ignored", u.experimentId(),
                        u.client(), u.run());
            } else {
                mailbox.add(u);
            }
        } catch (RuntimeException e) {
            throw deadLetters.reject("rgb-updates", e);
        }
    }

    private void run(RgbRunTask task) {
        String id = task.experimentId();
        long t0 = System.nanoTime();
        RgbRuns.Start start = compute.call(() -> runs.start(task, UUID.randomUUID().toString()));
        if (start.last() != null) { // announced again: image-render renders a round idempotently
            announce(start.last());
        }
        FederationServer server = start.server();
        if (server.finished()) {
            LOG.infof("RGB run %s: done already, its last round announced again", id);
            return;
        }
        String run = start.run();
        BlockingQueue<RgbUpdateReady> mailbox = new LinkedBlockingQueue<>();
        mailboxes.put(run, mailbox);
        try {
            LOG.infof("RGB run %s: run %s from round %d of %d, %d clients%s", id, run, server.round() + 1,
                    task.rounds(), task.clients(), server instanceof DcganFederation.Server ? "" : ", user level");
            ObjectRef global = start.nextGlobal();
            while (!server.finished()) {
                int round = compute.call(server::begin);
                if (global == null) {
                    global = compute.call(() -> runs.putGlobal(id, run, round, server));
                }
                collect(task, run, round, global, server, mailbox);
                DcganFederation.Round r = compute.call(server::finish);
                RgbRuns.Checkpoint c = compute.call(() -> runs.finishRound(task, run, server, r));
                announce(c.done());
                global = c.nextGlobal();
                LOG.info(String.format(Locale.ROOT, "RGB run %s: round %d of %d done, discriminator loss on real images"
                        + " %.4f (this log only), on fakes %.4f, generator loss %.4f", id, round, task.rounds(),
                        r.discriminatorRealLoss(), r.discriminatorFakeLoss(), r.generatorLoss()));
            }
            compute.run(() -> runs.finishRun(id));
            LOG.info(String.format(Locale.ROOT, "RGB run %s done in %.1f s", id, (System.nanoTime() - t0) / 1e9));
        } finally {
            mailboxes.remove(run);
        }
    }

    private void announce(RgbRoundDone done) {
        Sent.keyedAndWait(results, done.experimentId(), Messages.encode(done), SEND_TIMEOUT_SECONDS,
                "round " + done.round() + " of RGB run " + done.experimentId());
    }

    /**
     * Sends the round's tasks to its participants and adds each one's networks to the server, in client order. At
     * user level the participants are the round's draw, which the accountant assumes secret: this class logs neither
     * them nor their number; only the tasks name them, inside the trusted boundary.
     */
    private void collect(RgbRunTask task, String run, int round, ObjectRef global, FederationServer server,
                         BlockingQueue<RgbUpdateReady> mailbox) {
        int[] participants = server.participants();
        int clients = participants.length;
        int[] position = new int[server.clients()];
        java.util.Arrays.fill(position, -1);
        for (int i = 0; i < clients; i++) {
            int k = participants[i];
            position[k] = i;
            RgbRoundTask t = new RgbRoundTask(Messages.SCHEMA, task.experimentId(), task.spec(), run, round, k, global);
            Sent.keyedAndWait(roundTasks, task.experimentId() + "/" + k, Messages.encode(t), SEND_TIMEOUT_SECONDS,
                    "a round task of RGB run " + task.experimentId());
        }
        RgbUpdateReady[] got = new RgbUpdateReady[clients];
        boolean[] seen = new boolean[clients];
        int next = 0;
        long deadline = System.nanoTime() + roundTimeout.toNanos();
        while (next < clients) {
            RgbUpdateReady u;
            try {
                u = mailbox.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for round " + round + "'s networks", e);
            }
            if (u == null) {
                int missing = 0;
                for (boolean s : seen) {
                    missing += s ? 0 : 1;
                }
                throw new IllegalStateException(String.format(Locale.ROOT, "RGB run %s, round %d: %d clients' "
                        + "networks missing after %s", task.experimentId(), round, missing, roundTimeout));
            }
            int at = u.round() != round || u.client() >= position.length ? -1 : position[u.client()];
            if (at < 0 || seen[at]) {
                continue; // another round's, not drawn, or a duplicate (a redelivered task): counted once
            }
            seen[at] = true;
            got[at] = u;
            while (next < clients && got[next] != null) { // added in client order, as the one-JVM run adds them
                RgbUpdateReady ready = got[next];
                compute.run(() -> runs.add(server, ready));
                got[next] = null;
                next++;
            }
        }
    }
}

package dev.fedgan.clientupdate;

import dev.fedgan.modelstore.FairnessSweeps;
import dev.fedgan.protocol.FairnessPointDone;
import dev.fedgan.protocol.FairnessPointTask;
import dev.fedgan.protocol.Messages;
import dev.fedgan.service.ComputeThread;
import dev.fedgan.service.DeadLetters;
import dev.fedgan.service.Sent;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * {@code fairness-points} → {@code fairness-results}: one point of a fairness sweep per task,
 * {@link FairnessSweeps#runPoint} on the {@link ComputeThread} (it shares the thread with round tasks: a replica
 * works on one task of any kind at a time). Federated points are skipped: the aggregator runs their rounds, with
 * the users' training on {@link FairnessRoundWorker}s. A task is acknowledged only once its {@link FairnessPointDone} is on
 * the broker, so a replica killed mid-point leaves it uncommitted and the point is redelivered to a replica of the
 * group; its result is stored under the same key. A task that cannot run is dead-lettered with the reason.
 */
@ApplicationScoped
public class FairnessPointWorker {

    private static final Logger LOG = Logger.getLogger(FairnessPointWorker.class);
    private static final long SEND_TIMEOUT_SECONDS = 60;

    private final FairnessSweeps sweeps;
    private final ComputeThread compute;
    private final DeadLetters deadLetters;
    private final Emitter<String> results;

    public FairnessPointWorker(FairnessSweeps sweeps, ComputeThread compute, DeadLetters deadLetters,
            @Channel("fairness-results") Emitter<String> results) {
        this.sweeps = sweeps;
        this.compute = compute;
        this.deadLetters = deadLetters;
        this.results = results;
    }

    @Incoming("fairness-points")
    @Blocking
    public void process(String message) {
        try {
            FairnessPointTask task = Messages.decode(message, FairnessPointTask.class);
            if (compute.call(() -> sweeps.isFederated(task))) {
                return; // the aggregator runs its rounds (FederatedPointRunner); this replica trains its users
            }
            LOG.info(String.format(Locale.ROOT, "fairness sweep %s: point %d of %d started", task.experimentId(),
                    task.point() + 1, task.points()));
            long t0 = System.nanoTime();
            FairnessPointDone done = compute.call(() -> sweeps.runPoint(task));
            Sent.keyedAndWait(results, done.experimentId(), Messages.encode(done), SEND_TIMEOUT_SECONDS,
                    "the result of point " + task.point() + " of sweep " + task.experimentId());
            LOG.info(String.format(Locale.ROOT, "fairness sweep %s: point %d of %d done in %.1f s",
                    task.experimentId(), task.point() + 1, task.points(), (System.nanoTime() - t0) / 1e9));
        } catch (RuntimeException e) {
            throw deadLetters.reject("fairness-points", e);
        }
    }
}

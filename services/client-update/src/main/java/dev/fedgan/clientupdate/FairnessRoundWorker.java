package dev.fedgan.clientupdate;

import dev.fedgan.modelstore.FairnessSweeps;
import dev.fedgan.protocol.FairnessRoundTask;
import dev.fedgan.protocol.FairnessUpdateReady;
import dev.fedgan.protocol.Messages;
import dev.fedgan.service.ComputeThread;
import dev.fedgan.service.DeadLetters;
import dev.fedgan.service.Sent;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * {@code fairness-rounds} → {@code fairness-updates}: one user's local training in a round of a federated fairness
 * point, whose rounds the aggregator runs ({@link FairnessSweeps#userUpdate} on the {@link ComputeThread}). A task
 * is acknowledged only once its update is announced, so a replica killed mid-task leaves it to another replica of
 * the group; the aggregator counts a user's update once. A task that cannot run is dead-lettered with the reason.
 */
@ApplicationScoped
public class FairnessRoundWorker {

    private static final Logger LOG = Logger.getLogger(FairnessRoundWorker.class);
    private static final long SEND_TIMEOUT_SECONDS = 60;

    private final FairnessSweeps sweeps;
    private final ComputeThread compute;
    private final DeadLetters deadLetters;
    private final Emitter<String> updates;

    public FairnessRoundWorker(FairnessSweeps sweeps, ComputeThread compute, DeadLetters deadLetters,
            @Channel("fairness-updates") Emitter<String> updates) {
        this.sweeps = sweeps;
        this.compute = compute;
        this.deadLetters = deadLetters;
        this.updates = updates;
    }

    @Incoming("fairness-rounds")
    @Blocking
    public void process(String message) {
        try {
            FairnessRoundTask task = Messages.decode(message, FairnessRoundTask.class);
            FairnessUpdateReady done = compute.call(() -> sweeps.userUpdate(task));
            Sent.keyedAndWait(updates, done.experimentId(), Messages.encode(done), SEND_TIMEOUT_SECONDS,
                    "the update of user " + task.user() + " of sweep " + task.experimentId());
            LOG.debugf("fairness sweep %s point %d round %d: user %d's update stored", task.experimentId(),
                    task.point() + 1, task.round(), task.user());
        } catch (RuntimeException e) {
            throw deadLetters.reject("fairness-rounds", e);
        }
    }
}

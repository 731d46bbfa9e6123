package dev.fedgan.clientupdate;

import dev.fedgan.modelstore.RgbRuns;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.RgbRoundTask;
import dev.fedgan.protocol.RgbUpdateReady;
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
 * {@code rgb-rounds} → {@code rgb-updates}: one client's round of an RGB DCGAN run, whose rounds the aggregator runs
 * ({@link RgbRuns#clientRound} on the {@link ComputeThread}: the client's discriminator trained with DP-SGD on its
 * own images). A task is acknowledged only once its answer is announced, so a replica killed mid-task leaves it to
 * another replica of the group, which starts from the same stored state; the aggregator counts a client once. A task
 * that cannot run is dead-lettered with the reason.
 */
@ApplicationScoped
public class RgbRoundWorker {

    private static final Logger LOG = Logger.getLogger(RgbRoundWorker.class);
    private static final long SEND_TIMEOUT_SECONDS = 60;

    private final RgbRuns runs;
    private final ComputeThread compute;
    private final DeadLetters deadLetters;
    private final Emitter<String> updates;

    public RgbRoundWorker(ObjectStore objects, ComputeThread compute, DeadLetters deadLetters,
            @Channel("rgb-updates") Emitter<String> updates) {
        this.runs = new RgbRuns(objects);
        this.compute = compute;
        this.deadLetters = deadLetters;
        this.updates = updates;
    }

    @Incoming("rgb-rounds")
    @Blocking
    public void process(String message) {
        try {
            RgbRoundTask task = Messages.decode(message, RgbRoundTask.class);
            RgbUpdateReady done = compute.call(() -> runs.clientRound(task));
            Sent.keyedAndWait(updates, done.experimentId(), Messages.encode(done), SEND_TIMEOUT_SECONDS,
                    "the networks of client " + task.client() + " of RGB run " + task.experimentId());
            LOG.debugf("RGB run %s round %d: client %d's networks stored", task.experimentId(), task.round(),
                    task.client());
        } catch (RuntimeException e) {
            throw deadLetters.reject("rgb-rounds", e);
        }
    }
}

package dev.fedgan.filter;

import dev.fedgan.core.data.DataRoots;
import dev.fedgan.modelstore.RgbRuns;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.RgbRequest;
import dev.fedgan.protocol.RgbRunTask;
import dev.fedgan.service.DeadLetters;
import dev.fedgan.service.FedganConfig;
import dev.fedgan.service.Sent;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * {@code rgb-requests} → {@code rgb-runs}: per {@link RgbRequest}, {@link RgbRuns#submit} (the run checked against
 * its data, under {@code fedgan.data.roots}, and cut into clients before any training, then stored), then its
 * {@link RgbRunTask} for the aggregator, waited for until the broker has it. A run that cannot start (malformed,
 * absurd options, data outside the roots or unreadable, a client
 * smaller than the batch, an id used by another run) is dead-lettered with the reason.
 */
@ApplicationScoped
public class RgbRequestListener {

    private static final Logger LOG = Logger.getLogger(RgbRequestListener.class);
    private static final long SEND_TIMEOUT_SECONDS = 60;

    private final RgbRuns runs;
    private final DataRoots roots;
    private final DeadLetters deadLetters;
    private final Emitter<String> tasks;

    public RgbRequestListener(ObjectStore objects, DeadLetters deadLetters, @Channel("rgb-runs") Emitter<String> tasks,
            FedganConfig config) {
        this.runs = new RgbRuns(objects);
        this.roots = config.data().dataRoots();
        this.deadLetters = deadLetters;
        this.tasks = tasks;
    }

    @Incoming("rgb-requests")
    @Blocking
    public void process(String message) {
        try {
            RgbRequest request = Messages.decode(message, RgbRequest.class);
            RgbRunTask task = runs.submit(request, roots);
            Sent.keyedAndWait(tasks, task.experimentId(), Messages.encode(task), SEND_TIMEOUT_SECONDS,
                    "the run task of RGB run " + task.experimentId());
            LOG.infof("RGB run %s: %d clients, %d rounds, sent to the aggregator", task.experimentId(), task.clients(),
                    task.rounds());
        } catch (RuntimeException e) {
            throw deadLetters.reject("rgb-requests", e);
        }
    }
}

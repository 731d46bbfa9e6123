package dev.fedgan.clientupdate;

import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.RoundTask;
import dev.fedgan.service.DeadLetters;
import dev.fedgan.storage.ModelStore;
import dev.fedgan.storage.RemoteClientStep;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.jboss.logging.Logger;

/**
 * {@code round-tasks} → {@code client-updates}: one sampled client's part of a round (reference section 4.3).
 * The work is {@link RemoteClientStep}: broadcast weights from the object store, the core's critic steps on the
 * client's data, the delta back to the store; this class announces it.
 * A task that cannot be processed (malformed or unknown-schema JSON, a missing or corrupt object, an unknown
 * client) throws: the record is nacked and the Kafka connector's dead-letter-queue strategy writes it to
 * {@code dead-letter} with the reason in the {@code dead-letter-reason} header; consumption goes on.
 */
@ApplicationScoped
public class ClientUpdateService {

    private static final Logger LOG = Logger.getLogger(ClientUpdateService.class);

    private final RemoteClientStep step;
    private final Counter answered;
    private final Counter deadLettered;
    private final Timer duration;

    private final DeadLetters deadLetters;

    public ClientUpdateService(ModelStore models, MeterRegistry registry, DeadLetters deadLetters) {
        this.step = new RemoteClientStep(models);
        this.deadLetters = deadLetters;
        this.answered = Counter.builder("fedgan.client.tasks").tag("outcome", "answered")
                .description("Round tasks received by this client, by outcome").register(registry);
        this.deadLettered = Counter.builder("fedgan.client.tasks").tag("outcome", "dead-letter")
                .description("Round tasks received by this client, by outcome").register(registry);
        this.duration = Timer.builder("fedgan.client.step.duration")
                .description("Time of one client's part of a round: load weights, critic steps, store the delta")
                .register(registry);
    }

    @Incoming("round-tasks")
    @Outgoing("client-updates")
    @Blocking // ND4J work off the Vert.x event loop; ordered, one task at a time
    public String process(String message) {
        try {
            RoundTask task = Messages.decode(message, RoundTask.class);
            ClientUpdateReady ready = duration.record(() -> step.run(task));
            answered.increment();
            LOG.infof("experiment %s %s round %d client %s: %d steps, delta %s", task.experimentId(), task.gan(),
                    task.round() + 1, task.clientId(), ready.steps(), ready.delta().uri());
            return Messages.encode(ready);
        } catch (RuntimeException e) {
            deadLettered.increment();
            throw deadLetters.reject("round-tasks", e);
        }
    }
}

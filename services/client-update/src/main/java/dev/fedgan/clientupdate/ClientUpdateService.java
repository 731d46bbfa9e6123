package dev.fedgan.clientupdate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.NetworkWeights;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.jboss.logging.Logger;

/**
 * {@code round-tasks} → {@code client-updates}. A task that cannot be processed throws, the incoming record is
 * nacked and the Kafka connector's dead-letter-queue failure strategy writes it to {@code dead-letter} with the
 * exception message in the {@code dead-letter-reason} header; consumption goes on.
 */
@ApplicationScoped
public class ClientUpdateService {

    private static final Logger LOG = Logger.getLogger(ClientUpdateService.class);

    private final ObjectMapper json;
    private final Counter answered;
    private final Counter deadLettered;
    private final Timer duration;

    public ClientUpdateService(ObjectMapper json, MeterRegistry registry) {
        this.json = json;
        this.answered = Counter.builder("fedgan.client.tasks").tag("outcome", "answered")
                .description("Round tasks received by this client, by outcome").register(registry);
        this.deadLettered = Counter.builder("fedgan.client.tasks").tag("outcome", "dead-letter")
                .description("Round tasks received by this client, by outcome").register(registry);
        this.duration = Timer.builder("fedgan.client.task.duration")
                .description("Time to build the critic and answer one task").register(registry);
    }

    @Incoming("round-tasks")
    @Outgoing("client-updates")
    @Blocking // ND4J work off the Vert.x event loop; ordered, one task at a time
    public String process(String message) {
        try {
            RoundTask task = RoundTask.parse(json, message);
            ClientUpdate update = duration.record(() -> answer(task));
            String reply = json.writeValueAsString(update);
            answered.increment();
            LOG.debugf("answered %s/%d/%s: %d weights", task.experiment(), task.round(), task.client(), update.weights());
            return reply;
        } catch (BadTaskException e) {
            deadLettered.increment();
            LOG.warnf("task to dead-letter: %s", e.getMessage());
            throw e;
        } catch (JsonProcessingException | RuntimeException e) {
            deadLettered.increment();
            LOG.errorf(e, "task to dead-letter: processing failed");
            throw new IllegalStateException("processing failed: " + e, e);
        }
    }

    static ClientUpdate answer(RoundTask task) {
        NetworkWeights critic = GanNetworks.initialCritic(task.preset(), task.seed());
        return new ClientUpdate(RoundTask.SCHEMA, task.experiment(), task.round(), task.client(),
                critic.length(), critic.trainableNorm());
    }
}

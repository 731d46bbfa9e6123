package dev.fedgan.clientupdate;

import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.gan.ClientTraining;
import dev.fedgan.core.gan.ClientUpdate;
import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.NetworkWeights;
import dev.fedgan.core.gan.SimulatedClients;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RoundTask;
import dev.fedgan.storage.GanSettingsMapping;
import dev.fedgan.storage.ModelStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.jboss.logging.Logger;

/**
 * {@code round-tasks} → {@code client-updates}: one sampled client's part of a round (reference section 4.3).
 * Loads the broadcast generator and critic named by the task from the object store (checksums verified), trains
 * the critic on the client's data with the core's {@link ClientTraining}, stores the delta and announces it.
 * A task that cannot be processed (malformed or unknown-schema JSON, a missing or corrupt object, an unknown
 * client) throws: the record is nacked and the Kafka connector's dead-letter-queue strategy writes it to
 * {@code dead-letter} with the reason in the {@code dead-letter-reason} header; consumption goes on.
 */
@ApplicationScoped
public class ClientUpdateService {

    private static final Logger LOG = Logger.getLogger(ClientUpdateService.class);

    private final ModelStore models;
    private final Counter answered;
    private final Counter deadLettered;
    private final Timer duration;
    private final Map<GanTrainingConfig, ClientTraining> trainers = new HashMap<>();

    public ClientUpdateService(ModelStore models, MeterRegistry registry) {
        this.models = models;
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
            ClientUpdateReady ready = duration.record(() -> answer(task));
            answered.increment();
            LOG.infof("experiment %s %s round %d client %s: %d steps, delta %s", task.experimentId(), task.gan(),
                    task.round() + 1, task.clientId(), ready.steps(), ready.delta().uri());
            return Messages.encode(ready);
        } catch (RuntimeException e) {
            deadLettered.increment();
            LOG.warnf("round task to dead-letter: %s", e.getMessage());
            throw e;
        }
    }

    ClientUpdateReady answer(RoundTask task) {
        GanTrainingConfig config = GanSettingsMapping.config(task.settings());
        NetworkWeights generator = models.getWeights(task.generator(), GanNetworks.initialGenerator(config.preset(), 0));
        NetworkWeights critic = models.getWeights(task.critic(), GanNetworks.initialCritic(config.preset(), 0));
        WriterData data = SimulatedClients.client(task.data(), new InversionBug(task.invertProbability(), task.bugSeed()),
                task.clientId());
        ClientUpdate u = trainer(config).train(task.clientId(), task.round(), generator, critic, data, task.clientSeed());
        ObjectRef delta = models.putDelta(task.experimentId() + "." + task.gan(), task.round(), task.clientId(), u.delta());
        return new ClientUpdateReady(Messages.SCHEMA, task.experimentId(), task.gan(), task.round(), task.clientId(), delta,
                u.realExamples(), u.steps(), u.nonFinite(), u.loss());
    }

    private synchronized ClientTraining trainer(GanTrainingConfig config) {
        return trainers.computeIfAbsent(config, ClientTraining::new);
    }
}

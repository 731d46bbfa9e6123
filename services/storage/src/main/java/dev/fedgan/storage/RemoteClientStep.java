package dev.fedgan.storage;

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
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A round task's client step through the object store (reference section 4.3): load the broadcast generator and
 * critic the task names (checksums verified; kept for the round's other tasks), train the critic on the client's data with the core's
 * {@link ClientTraining} ({@link #train}), store the delta and return its announcement ({@link #store}). What a
 * client-update pod does per task; the pod overlaps a task's {@link #store} with the next task's {@link #train}.
 */
public final class RemoteClientStep {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteClientStep.class);

    private final ModelStore models;
    private final Map<GanTrainingConfig, ClientTraining> trainers = new HashMap<>();
    /** The last broadcast weights read, by claim: a round's tasks share them, so each is fetched once per round. */
    private final Map<ObjectRef, NetworkWeights> broadcast = new java.util.LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ObjectRef, NetworkWeights> eldest) {
            return size() > 4; // generator and critic of two experiments
        }
    };

    public RemoteClientStep(ModelStore models) {
        this.models = models;
    }

    /** A task's critic steps done, its delta not stored yet ({@link #store}). */
    public record Trained(RoundTask task, ClientUpdate update, double loadSeconds, double trainSeconds) {
    }

    /** The whole task: {@link #train} then {@link #store}. */
    public ClientUpdateReady run(RoundTask task) {
        return store(train(task));
    }

    /** Loads the task's broadcast weights (once per round) and the client's data, and runs its critic steps. */
    public synchronized Trained train(RoundTask task) {
        long t0 = System.nanoTime();
        GanTrainingConfig config = GanSettingsMapping.config(task.settings());
        NetworkWeights generator = broadcast.get(task.generator());
        if (generator == null) {
            generator = models.getWeights(task.generator(), GanNetworks.generatorLayout(config.preset()));
            broadcast.put(task.generator(), generator);
        }
        NetworkWeights critic = broadcast.get(task.critic());
        if (critic == null) {
            critic = models.getWeights(task.critic(), GanNetworks.criticLayout(config.preset()));
            broadcast.put(task.critic(), critic);
        }
        WriterData data = SimulatedClients.client(task.data(), new InversionBug(task.invertProbability(), task.bugSeed()),
                task.clientId());
        long t1 = System.nanoTime();
        ClientUpdate u = trainers.computeIfAbsent(config, ClientTraining::new)
                .train(task.clientId(), task.round(), generator, critic, data, task.clientSeed());
        return new Trained(task, u, (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
    }

    /** Stores the delta (content-addressed: storing it again is free) and returns the update's announcement. */
    public ClientUpdateReady store(Trained trained) {
        RoundTask task = trained.task();
        ClientUpdate u = trained.update();
        long t0 = System.nanoTime();
        ObjectRef delta = models.putDelta(task.experimentId() + "." + task.gan(), task.round(), task.clientId(), u.delta());
        LOG.info(String.format(Locale.ROOT, "%s.%s round %d client %s: %d steps; weights and data %.2f s, critic steps"
                + " %.2f s, delta stored %.2f s (%s)", task.experimentId(), task.gan(), task.round() + 1, task.clientId(),
                u.steps(), trained.loadSeconds(), trained.trainSeconds(), (System.nanoTime() - t0) / 1e9, delta.uri()));
        return new ClientUpdateReady(Messages.SCHEMA, task.experimentId(), task.gan(), task.round(), task.clientId(), delta,
                u.realExamples(), u.steps(), u.nonFinite(), u.loss());
    }
}

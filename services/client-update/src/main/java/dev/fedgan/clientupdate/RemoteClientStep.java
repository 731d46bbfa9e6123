package dev.fedgan.clientupdate;

import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.gan.ClientGroupTraining;
import dev.fedgan.core.gan.ClientUpdate;
import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.NetworkWeights;
import dev.fedgan.core.gan.SimulatedClients;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RoundTask;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A round task's client step through the object store (reference section 4.3): load the broadcast generator and
 * critic the task names (checksums verified; kept for the round's other tasks), train the critic on the client's data with the core's
 * {@link ClientGroupTraining} ({@link #train}), store the delta and return its announcement ({@link #store}). What a
 * client-update pod does per task; the pod overlaps a task's {@link #store} with the next task's {@link #train}.
 * A task of a group of clients (a small critic's, {@link ClientGroupTraining#groupSize}) trains them together as the
 * one-JVM run does, and stores and announces each client's delta apart.
 */
public final class RemoteClientStep {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteClientStep.class);

    /** Broadcast weights kept: the generator and critic of two experiments. */
    static final int KEPT = 4;

    private final ModelStore models;
    private final Map<GanTrainingConfig, ClientGroupTraining> trainers = new HashMap<>();
    /**
     * The last broadcast weights read, by claim, least recently used first: a round's tasks share them, so each is
     * fetched once per round. Once {@link #KEPT} are held, the next ones are read into the arrays of the least
     * recently used of the same network and preset (an earlier round's), not into new ones.
     */
    private final LinkedHashMap<ObjectRef, Broadcast> broadcast = new LinkedHashMap<>(8, 0.75f, true);

    private record Broadcast(String network, GanPreset preset, NetworkWeights weights) {
    }

    public RemoteClientStep(ModelStore models) {
        this.models = models;
    }

    /** A task's critic steps done, its deltas (one per client of the task, in its order) not stored yet. */
    public record Trained(RoundTask task, List<ClientUpdate> updates, double loadSeconds, double trainSeconds) {
    }

    /** The whole task: {@link #train} then {@link #store}. */
    public List<ClientUpdateReady> run(RoundTask task) {
        return store(train(task));
    }

    /** Loads the task's broadcast weights (once per round) and the client's data, and runs its critic steps. */
    public synchronized Trained train(RoundTask task) {
        long t0 = System.nanoTime();
        GanTrainingConfig config = GanSettingsMapping.config(task.settings());
        // A round's first task: the critic's bytes come in on another thread while the generator's are fetched here
        // (I/O and hashing only; both are read into ND4J arrays on this thread).
        CompletableFuture<byte[]> criticBytes = broadcast.containsKey(task.critic()) ? null
                : models.fetchAsync(task.critic());
        NetworkWeights generator = broadcast(task.generator(), "generator", config.preset(), null);
        NetworkWeights critic = broadcast(task.critic(), "critic", config.preset(), criticBytes);
        List<RoundTask.Member> clients = task.clients();
        int size = ClientGroupTraining.groupSize(config.preset());
        if (clients.size() > size) {
            throw new IllegalArgumentException("task of " + task.experimentId() + " round " + (task.round() + 1)
                    + " names " + clients.size() + " clients; the " + config.preset().name() + " preset trains "
                    + size + " at most together");
        }
        InversionBug bug = new InversionBug(task.invertProbability(), task.bugSeed());
        List<WriterData> data = new ArrayList<>();
        for (RoundTask.Member m : clients) {
            data.add(SimulatedClients.client(task.data(), bug, m.clientId()));
        }
        long t1 = System.nanoTime();
        List<ClientUpdate> u = trainers.computeIfAbsent(config, ClientGroupTraining::new).train(
                clients.stream().map(RoundTask.Member::clientId).toList(), task.round(), generator, critic, data,
                clients.stream().mapToLong(RoundTask.Member::clientSeed).toArray());
        return new Trained(task, u, (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
    }

    /**
     * The broadcast weights a claim names: kept, or read into the arrays of older ones, or read anew, from the bytes
     * {@code fetching} brings (null: fetched here).
     */
    private NetworkWeights broadcast(ObjectRef claim, String network, GanPreset preset,
            CompletableFuture<byte[]> fetching) {
        Broadcast kept = broadcast.get(claim);
        if (kept != null) {
            return kept.weights();
        }
        byte[] bytes;
        try {
            bytes = fetching == null ? models.fetch(claim) : fetching.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        Map.Entry<ObjectRef, Broadcast> older = broadcast.entrySet().stream()
                .filter(e -> e.getValue().network().equals(network) && e.getValue().preset().equals(preset))
                .findFirst().orElse(null);
        NetworkWeights w;
        if (older != null && broadcast.size() >= KEPT) {
            broadcast.remove(older.getKey()); // its arrays are overwritten now, whether the read succeeds or not
            w = models.readWeights(claim, bytes, older.getValue().weights(), true);
        } else {
            w = models.readWeights(claim, bytes, older != null ? older.getValue().weights()
                    : network.equals("generator") ? GanNetworks.generatorLayout(preset) : GanNetworks.criticLayout(preset),
                    false);
        }
        broadcast.put(claim, new Broadcast(network, preset, w));
        while (broadcast.size() > KEPT) {
            broadcast.remove(broadcast.keySet().iterator().next());
        }
        return w;
    }

    /** The broadcast weights kept for a claim, or null (for tests; unlike a task, this does not count as a use). */
    synchronized NetworkWeights kept(ObjectRef claim) {
        return broadcast.entrySet().stream().filter(e -> e.getKey().equals(claim)).map(e -> e.getValue().weights())
                .findFirst().orElse(null);
    }

    /**
     * Stores each client's delta under a key with a fresh random nonce (a redelivered task stores a second object; the
     * aggregator reads the one its update names and deletes both with the round) and returns the updates'
     * announcements, in the task's order. The claim's checksum covers the nonce, so neither it nor the key logged here
     * is a hash of the delta.
     */
    public List<ClientUpdateReady> store(Trained trained) {
        RoundTask task = trained.task();
        List<RoundTask.Member> clients = task.clients();
        List<ClientUpdateReady> ready = new ArrayList<>();
        for (int c = 0; c < clients.size(); c++) {
            RoundTask.Member m = clients.get(c);
            ClientUpdate u = trained.updates().get(c);
            long t0 = System.nanoTime();
            ObjectRef delta = models.putDelta(ExperimentLayout.namespace(task.experimentId(), task.gan()), task.round(),
                    m.clientId(), u.delta());
            LOG.info(String.format(Locale.ROOT, "%s.%s round %d client %s: %d steps; weights and data %.2f s, critic "
                    + "steps %.2f s%s, delta stored %.2f s (%s)", task.experimentId(), task.gan(), task.round() + 1,
                    m.clientId(), u.steps(), trained.loadSeconds(), trained.trainSeconds(), clients.size() == 1 ? ""
                    : " (" + clients.size() + " clients together)", (System.nanoTime() - t0) / 1e9, delta.uri()));
            ready.add(ClientUpdateReady.builder().experimentId(task.experimentId()).gan(task.gan()).round(task.round())
                    .clientId(m.clientId()).delta(delta).realExamples(u.realExamples()).steps(u.steps())
                    .nonFinite(u.nonFinite()).loss(u.loss()).build());
        }
        return ready;
    }
}

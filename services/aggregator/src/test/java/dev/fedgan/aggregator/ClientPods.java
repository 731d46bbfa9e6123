package dev.fedgan.aggregator;

import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.gan.ClientGroupTraining;
import dev.fedgan.core.gan.ClientUpdate;
import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.NetworkWeights;
import dev.fedgan.core.gan.SimulatedClients;
import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RoundTask;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a client-update pod does with a task, for tests that play the clients: the broadcast weights from the store,
 * the core's critic steps on the clients' simulated data (a group task's clients together, as client-update trains
 * them), each delta back to the store, the updates' announcements. {@link #each} splits a group task into a task per
 * client, whose update {@link #run} then gives, so that a test can answer, drop or spoil each client's update.
 */
final class ClientPods {

    private final ModelStore models;
    /** Updates trained with their group and not yet asked for, by experiment, GAN, round and client. */
    private final Map<String, ClientUpdateReady> trained = new HashMap<>();

    ClientPods(ModelStore models) {
        this.models = models;
    }

    /** A task per client of {@code task}, in its order; a group's clients are trained now, together. */
    synchronized List<RoundTask> each(RoundTask task) {
        if (task.group() == null || task.group().isEmpty()) {
            return List.of(task);
        }
        train(task);
        List<RoundTask> views = new ArrayList<>();
        for (RoundTask.Member m : task.clients()) {
            views.add(task.toBuilder().clientId(m.clientId()).clientSeed(m.clientSeed())
                    .updatePartition(m.updatePartition()).group(null).build());
        }
        return views;
    }

    /** The update of the task's (first) client: trained with its group by {@link #each}, or now. */
    synchronized ClientUpdateReady run(RoundTask task) {
        ClientUpdateReady u = trained.remove(key(task, task.clientId()));
        if (u != null) {
            return u;
        }
        train(task);
        return trained.remove(key(task, task.clientId()));
    }

    private void train(RoundTask task) {
        GanTrainingConfig config = GanSettingsMapping.config(task.settings());
        NetworkWeights generator = models.getWeights(task.generator(), GanNetworks.generatorLayout(config.preset()));
        NetworkWeights critic = models.getWeights(task.critic(), GanNetworks.criticLayout(config.preset()));
        List<RoundTask.Member> clients = task.clients();
        InversionBug bug = new InversionBug(task.invertProbability(), task.bugSeed());
        List<WriterData> data = clients.stream().map(m -> SimulatedClients.client(task.data(), bug, m.clientId()))
                .toList();
        List<ClientUpdate> updates = new ClientGroupTraining(config).train(clients.stream()
                .map(RoundTask.Member::clientId).toList(), task.round(), generator, critic, data,
                clients.stream().mapToLong(RoundTask.Member::clientSeed).toArray());
        for (int c = 0; c < clients.size(); c++) {
            String id = clients.get(c).clientId();
            ClientUpdate u = updates.get(c);
            ObjectRef delta = models.putDelta(ExperimentLayout.namespace(task.experimentId(), task.gan()),
                    task.round(), id, u.delta());
            trained.put(key(task, id), ClientUpdateReady.builder().experimentId(task.experimentId()).gan(task.gan())
                    .round(task.round()).clientId(id).delta(delta).realExamples(u.realExamples()).steps(u.steps())
                    .nonFinite(u.nonFinite()).loss(u.loss()).build());
        }
    }

    private static String key(RoundTask task, String client) {
        return task.experimentId() + "/" + task.gan() + "/" + task.round() + "/" + client;
    }
}

package dev.fedgan.aggregator;

import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.gan.ClientTraining;
import dev.fedgan.core.gan.ClientUpdate;
import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.SimulatedClients;
import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RoundTask;

/**
 * What a client-update pod does with a task, for tests that play the clients: the broadcast weights from the store,
 * the core's critic steps on the client's simulated data, the delta back to the store, the update's announcement.
 */
final class ClientPods {

    private final ModelStore models;

    ClientPods(ModelStore models) {
        this.models = models;
    }

    ClientUpdateReady run(RoundTask task) {
        GanTrainingConfig config = GanSettingsMapping.config(task.settings());
        ClientUpdate u = new ClientTraining(config).train(task.clientId(), task.round(),
                models.getWeights(task.generator(), GanNetworks.generatorLayout(config.preset())),
                models.getWeights(task.critic(), GanNetworks.criticLayout(config.preset())),
                SimulatedClients.client(task.data(), new InversionBug(task.invertProbability(), task.bugSeed()),
                        task.clientId()), task.clientSeed());
        ObjectRef delta = models.putDelta(ExperimentLayout.namespace(task.experimentId(), task.gan()), task.round(), task.clientId(),
                u.delta());
        return ClientUpdateReady.builder().experimentId(task.experimentId()).gan(task.gan()).round(task.round())
                .clientId(task.clientId()).delta(delta).realExamples(u.realExamples()).steps(u.steps())
                .nonFinite(u.nonFinite()).loss(u.loss()).build();
    }
}

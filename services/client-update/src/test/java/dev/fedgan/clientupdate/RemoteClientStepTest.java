package dev.fedgan.clientupdate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.gan.ClientGroupTraining;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.NetworkWeights;
import dev.fedgan.core.gan.SimulatedClients;
import dev.fedgan.devstack.EmbeddedS3;
import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RoundTask;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RemoteClientStep} against a real S3 server (S3Proxy over sockets): every round's broadcast, read into
 * recycled arrays, trains right.
 */
class RemoteClientStepTest {

    private static EmbeddedS3 s3;
    private static ObjectStore objects;
    private static ModelStore models;

    @BeforeAll
    static void start() {
        s3 = EmbeddedS3.builder().start();
        objects = ObjectStore.connect(s3.endpoint(), s3.accessKey(), s3.secretKey(), "fedgan");
        models = new ModelStore(objects);
    }

    @AfterAll
    static void stop() {
        if (objects != null) {
            objects.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }


    private static final GanSettings SETTINGS = GanSettings.builder().preset("tiny").clientsPerRound(3).criticSteps(2)
            .seed(5L).build();
    private static final String DATA = "bundled:field";

    /** Client w07's task of one experiment's round, with these weights. */
    private static RoundTask taskFor(String experiment, int round, ObjectRef generator, ObjectRef critic) {
        return RoundTask.builder().experimentId(experiment).gan("low_accuracy").round(round).clientId("w07")
                .generator(generator).critic(critic).clientSeed(99).settings(SETTINGS).data(DATA).invertProbability(0.5)
                .bugSeed(7).build();
    }

    /** One experiment's broadcast of one round: weights of their own, stored, and a task naming them. */
    private record Round(String experiment, int round, NetworkWeights generator, NetworkWeights critic,
            RoundTask task) {
        static Round of(String experiment, int round) {
            NetworkWeights g = GanNetworks.initialGenerator(GanPreset.TINY, 10L * round + experiment.length());
            NetworkWeights d = GanNetworks.initialCritic(GanPreset.TINY, 10L * round + experiment.length() + 1);
            ObjectRef gRef = models.putWeights(experiment + ".low_accuracy", "generator", round, g);
            ObjectRef dRef = models.putWeights(experiment + ".low_accuracy", "critic", round, d);
            return new Round(experiment, round, g, d, taskFor(experiment, round, gRef, dRef));
        }

        /** The delta the core computes from these weights in one JVM (the tiny critic's clients train in groups). */
        float[] expectedDelta() {
            GanTrainingConfig config = GanSettingsMapping.config(SETTINGS);
            return new ClientGroupTraining(config).train(
                    List.of("w07"), round, generator, critic,
                    List.of(SimulatedClients.client(DATA, new InversionBug(0.5, 7), "w07")), new long[] {99})
                    .get(0).delta();
        }
    }

    /**
     * The same task run twice (a redelivery) trains the same delta (client training is deterministic given the
     * public seed and the broadcast weights) but stores it under another key with another checksum: a per-task
     * random nonce, so that neither the key, nor the claim, nor the INFO line naming the key is a hash of the delta
     * that would confirm a guess about the client's data.
     */
    @Test
    void theSameTaskTwiceStoresTheSameDeltaUnderAnotherKeyAndChecksum() {
        Round r = Round.of("nonce", 0);
        ClientUpdateReady first = new RemoteClientStep(models).run(r.task()).get(0);
        ClientUpdateReady second = new RemoteClientStep(models).run(r.task()).get(0);
        float[] delta = r.expectedDelta();
        assertArrayEquals(delta, models.getDelta(first.delta(), delta.length), "the core's delta");
        assertArrayEquals(delta, models.getDelta(second.delta(), delta.length), "the same delta");
        assertNotEquals(first.delta().key(), second.delta().key());
        assertNotEquals(first.delta().sha256(), second.delta().sha256());
        String prefix = "experiments/nonce.low_accuracy/deltas/round-00000/w07-";
        for (ClientUpdateReady u : List.of(first, second)) {
            assertTrue(u.delta().key().matches(java.util.regex.Pattern.quote(prefix) + "[0-9a-f]{32}\\.delta"),
                    u.delta().key());
        }
    }

    /**
     * A task of a group of clients trains them together as the one-JVM run does and stores and announces each
     * client's own delta; a group larger than the preset trains together is refused before any work.
     */
    @Test
    void aGroupTaskStoresEachClientsDeltaAsTheOneJvmRunTrainsThem() {
        Round r = Round.of("group", 0);
        List<String> ids = List.of("w07", "w03", "w11");
        RoundTask task = r.task().toBuilder().updatePartition(2).group(List.of(new RoundTask.Member("w03", 5, 0),
                new RoundTask.Member("w11", 6, 1))).build();
        List<ClientUpdateReady> ready = new RemoteClientStep(models).run(task);
        assertEquals(ids, ready.stream().map(ClientUpdateReady::clientId).toList());
        GanTrainingConfig config = GanSettingsMapping.config(SETTINGS);
        List<dev.fedgan.core.data.WriterData> data = ids.stream().map(id -> SimulatedClients.client(DATA,
                new InversionBug(0.5, 7), id)).toList();
        List<dev.fedgan.core.gan.ClientUpdate> expected = new ClientGroupTraining(config, ClientGroupTraining.GROUP)
                .train(ids, 0, r.generator(), r.critic(), data, new long[] {99, 5, 6});
        for (int c = 0; c < ids.size(); c++) {
            float[] delta = expected.get(c).delta();
            assertArrayEquals(delta, models.getDelta(ready.get(c).delta(), delta.length), ids.get(c));
            assertTrue(ready.get(c).delta().key().contains("/" + ids.get(c) + "-"), ready.get(c).delta().key());
        }
        List<RoundTask.Member> nine = new java.util.ArrayList<>();
        for (int j = 0; j < ClientGroupTraining.GROUP; j++) {
            nine.add(new RoundTask.Member("w0" + j, j, null));
        }
        RoundTask tooMany = task.toBuilder().group(nine).build();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RemoteClientStep(models).train(tooMany))
                .getMessage().contains("names 9 clients; the tiny preset trains 8 at most together"));
    }

    @Test
    void laterRoundsAreReadIntoTheArraysOfEarlierOnesAndTrainOnTheirOwnWeights() {
        RemoteClientStep step = new RemoteClientStep(models);
        Round a0 = Round.of("ea", 0);
        Round b0 = Round.of("eb", 0);
        Round a1 = Round.of("ea", 1);
        Round b1 = Round.of("eb", 1);
        for (Round r : new Round[] {a0, b0}) { // two experiments: 4 broadcasts kept, each in arrays of its own
            assertArrayEquals(r.expectedDelta(), trained(step, r), r.experiment() + " " + r.round());
        }
        NetworkWeights generator = step.kept(a0.task().generator());
        NetworkWeights critic = step.kept(a0.task().critic());

        // The next broadcast goes into the arrays of the least recently used of its kind, which is no longer kept.
        assertArrayEquals(a1.expectedDelta(), trained(step, a1), "ea 1");
        assertSame(generator, step.kept(a1.task().generator()));
        assertSame(critic, step.kept(a1.task().critic()));
        assertNull(step.kept(a0.task().generator()));
        assertArrayEquals(b1.expectedDelta(), trained(step, b1), "eb 1");

        // A late task of an overwritten round reads its weights again (into the arrays of ea 1 now), and every
        // round still trains on its own weights.
        for (Round r : new Round[] {a0, a1, b1, b0}) {
            assertArrayEquals(r.expectedDelta(), trained(step, r), r.experiment() + " " + r.round() + " again");
        }
    }

    @Test
    void aCriticReadIntoAnotherRoundsArraysNoLongerAnswersForThatRound() {
        RemoteClientStep step = new RemoteClientStep(models);
        Round a0 = Round.of("ea", 0);
        Round b0 = Round.of("eb", 0);
        trained(step, a0);
        trained(step, b0);
        // A task that keeps eb's generator (a hit) and brings a new critic: that goes into ea 0's critic arrays,
        // while the least recently used entry overall is ea 0's generator.
        NetworkWeights newCritic = GanNetworks.initialCritic(GanPreset.TINY, 77);
        ObjectRef ref = models.putWeights("eb.low_accuracy", "critic", 1, newCritic);
        RoundTask keepsGenerator = taskFor("eb", 1, b0.task().generator(), ref);
        assertArrayEquals(new Round("eb", 1, b0.generator(), newCritic, keepsGenerator).expectedDelta(),
                step.train(keepsGenerator).updates().get(0).delta());
        // ea 0's critic claim, asked for again while eb's generator stays a hit, is read again, not answered from
        // the arrays that now hold the new critic.
        RoundTask oldCritic = taskFor("ea", 0, b0.task().generator(), a0.task().critic());
        assertArrayEquals(new Round("ea", 0, b0.generator(), a0.critic(), oldCritic).expectedDelta(),
                step.train(oldCritic).updates().get(0).delta());
    }

    private static float[] trained(RemoteClientStep step, Round r) {
        return step.train(r.task()).updates().get(0).delta();
    }
}

package dev.fedgan.aggregator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.gan.FederatedGanTraining;
import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.NetworkWeights;
import dev.fedgan.core.gan.SimulatedClients;
import dev.fedgan.core.privacy.ClientSampler;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.Message;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.protocol.RoundTask;
import dev.fedgan.service.StackResource;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What the aggregator's {@code @QuarkusTest}s share, as a bean they inject: this test playing the client-update
 * pods over the real broker and S3 server ({@link StackResource}), the experiments they send, and the checks
 * against the one-JVM run.
 */
@Singleton
class AggregatorHarness {

    static final List<String> CLIENTS = List.of("w00", "w01", "w02", "w03", "w04", "w05");
    /** Partitions of client-updates in these tests ({@link StackResource}): the aggregator's shards. */
    static final int SHARDS = StackResource.CLIENT_UPDATE_PARTITIONS;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ModelStore models;

    @Inject
    ObjectStore objects;

    @Inject
    RunRecords records;

    private ClientPods pods;

    /** What a client-update pod does with a task (one for the test: a group's updates wait there for their turn). */
    synchronized ClientPods clients() {
        if (pods == null) {
            pods = new ClientPods(models);
        }
        return pods;
    }

    interface Answer {
        void task(RoundTask task) throws Exception;
    }

    /**
     * Plays the client pods: answers the experiments' round tasks, each client of a group task apart, until each
     * experiment's last round is announced.
     */
    void play(KafkaConsumer<String, String> consumer, Map<String, List<RoundCompleted>> completed, Answer answer)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (!completed.values().stream().allMatch(c -> !c.isEmpty() && c.get(c.size() - 1).finished())) {
            if (System.nanoTime() > deadline) {
                fail("rounds not completed in time: " + completed);
            }
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.topic().equals(StackResource.TOPICS.rounds())) {
                    RoundCompleted c = Messages.decode(r.value(), RoundCompleted.class);
                    if (completed.containsKey(c.experimentId())) {
                        completed.get(c.experimentId()).add(c);
                    }
                    continue;
                }
                RoundTask task = Messages.decode(r.value(), RoundTask.class);
                assertEquals(task.clientId(), r.key(), "round tasks are keyed by client");
                if (completed.containsKey(task.experimentId())) {
                    for (RoundTask each : clients().each(task)) { // a group task: each of its clients in turn
                        answer.task(each);
                    }
                }
            }
        }
    }

    /**
     * What the last announced round of a GAN's run did with its sample, from the aggregator's run record (trusted:
     * the announcement says nothing about the sample).
     */
    RunRecord.Outcome lastOutcome(String namespace) {
        RunRecord r = records.find(namespace);
        if (r == null || r.lastOutcome() == null) {
            fail("no round outcome in the run record of " + namespace);
        }
        return r.lastOutcome();
    }

    /** Waits up to 20 s for the run's deltas to be deleted (the aggregator deletes them in the background). */
    void awaitNoDeltas(String namespace) throws InterruptedException {
        String prefix = ExperimentLayout.deltas(namespace);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!objects.list(prefix).isEmpty()) {
            if (System.nanoTime() > deadline) {
                fail("client deltas still stored after their rounds: " + objects.list(prefix));
            }
            Thread.sleep(100);
        }
    }

    /**
     * The same experiment in one JVM, seeded alike, gives the same critic and generator, bit for bit: the exact sums
     * make the shares' split and the updates' arrival order irrelevant.
     */
    void assertSameAsOneJvmRun(RoundCompleted last, GanSettings settings, int rounds) {
        GanTrainingConfig config = GanSettingsMapping.config(settings);
        List<WriterData> data = CLIENTS.stream()
                .map(c -> SimulatedClients.client("bundled:field", new InversionBug(0.5, 7), c)).toList();
        FederatedGanTraining local = FederatedGanTraining.start(config, data, null, settings.seededPrivacyNoise());
        for (int r = 0; r < rounds; r++) {
            local.runRound();
        }
        NetworkWeights critic = models.getWeights(last.critic(), GanNetworks.criticLayout(config.preset()));
        NetworkWeights generator = models.getWeights(last.generator(), GanNetworks.generatorLayout(config.preset()));
        // to the bit: the rounds were summed in shares (one per partition of client-updates), here in one sum
        assertArrayEquals(local.critic().flatten(), critic.flatten(), 0.0f, last.experimentId());
        assertArrayEquals(local.generator().flatten(), generator.flatten(), 0.0f, last.experimentId());
    }

    /**
     * The clients a seeded run over {@link #CLIENTS} samples in its first {@code rounds} rounds when none is
     * abandoned: the seeded stream's Poisson draws, q = m/N. Their number varies around m, and may be 0.
     */
    static List<List<String>> samples(GanSettings settings, int rounds) {
        ClientSampler sampler = ClientSampler.seeded(settings.seededPrivacyNoise());
        double q = ClientSampler.samplingRate(settings.clientsPerRound(), CLIENTS.size());
        List<List<String>> out = new java.util.ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            out.add(java.util.Arrays.stream(sampler.sample(q, CLIENTS.size())).mapToObj(CLIENTS::get).toList());
        }
        return out;
    }

    /** The tiny GAN, {@code rounds} rounds of 2 expected clients (Poisson, q = 2/6), seeded. */
    static GanSettings settings(int rounds, long seed) {
        return GanSettings.builder().preset("tiny").rounds(rounds).clientsPerRound(2).criticSteps(2)
                .generatorSteps(1).seed(5L).seededPrivacyNoise(seed).build();
    }

    /** The population of {@link #CLIENTS} for experiment {@code id}, with the request's deadline and quorum. */
    static PopulationReady population(String id, GanSettings settings, Integer deadlineSeconds, Double quorum) {
        ExperimentRequest request = ExperimentRequest.builder().experimentId(id).data("bundled:field")
                .invertProbability(0.5).bugSeed(7).gan(settings).roundDeadlineSeconds(deadlineSeconds)
                .quorum(quorum).build();
        return new PopulationReady(1, id, "low_accuracy", CLIENTS, CLIENTS.size(), 1e-5,
                new ObjectRef("fedgan", "none", 0, "0".repeat(64)), null, request);
    }

    /** The population of {@link #CLIENTS} for experiment {@code id}, default deadline and quorum. */
    static PopulationReady population(String id, GanSettings settings) {
        return population(id, settings, null, null);
    }

    void send(KafkaProducer<String, String> producer, String topic, Message m) throws Exception {
        producer.send(new ProducerRecord<>(topic, m.experimentId(), Messages.encode(m))).get();
    }

    /** Sends a client's update as client-update does: to the partition its task names. */
    void sendUpdate(KafkaProducer<String, String> producer, RoundTask task, ClientUpdateReady u) throws Exception {
        producer.send(new ProducerRecord<>(StackResource.TOPICS.clientUpdates(), task.updatePartition(),
                u.experimentId(), Messages.encode(u))).get();
    }

    /** Every record of {@code topic} so far (a consumer of its own, from the beginning, until 2 s bring nothing). */
    List<ConsumerRecord<String, String>> all(String topic) {
        List<ConsumerRecord<String, String>> out = new java.util.ArrayList<>();
        try (KafkaConsumer<String, String> c = StackResource.consumer(bootstrap, List.of(topic))) {
            int empty = 0;
            while (empty < 10) {
                var records = c.poll(Duration.ofMillis(200));
                empty = records.isEmpty() ? empty + 1 : 0;
                records.forEach(out::add);
            }
        }
        return out;
    }

    KafkaProducer<String, String> producer() {
        return StackResource.producer(bootstrap);
    }

    /** A consumer of the round tasks and the round announcements, and of {@code more} topics. */
    KafkaConsumer<String, String> consumer(String... more) {
        List<String> topics = new java.util.ArrayList<>(List.of(StackResource.TOPICS.roundTasks(),
                StackResource.TOPICS.rounds()));
        topics.addAll(List.of(more));
        return StackResource.consumer(bootstrap, topics);
    }
}

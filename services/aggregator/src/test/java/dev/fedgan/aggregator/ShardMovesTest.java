package dev.fedgan.aggregator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.protocol.RoundTask;
import dev.fedgan.service.StackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A shard that dies in the middle of a round, against a real broker and S3 server. The test plays a second aggregator
 * replica: a consumer that joins the shards' group while a round's updates wait in their partitions, takes some of
 * the partitions with their records (the aggregator's open shares of them are dropped), reads them, and dies without
 * acknowledging anything. Kafka gives the partitions back to the aggregator, which reads their records again from
 * the round's plan on. Nothing is lost and nothing counts twice: every sampled client is in the round once, each
 * round is announced once, and the weights are the one-JVM run's to the bit.
 */
@QuarkusTest
@WithTestResource(StackResource.class)
class ShardMovesTest {

    @Inject
    AggregatorHarness stack;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "mp.messaging.incoming.client-updates.group.id")
    String shardsGroup;

    @Test
    void aShardThatDiesMidRoundLosesAndDoublesNothing() throws Exception {
        GanSettings settings = GanSettings.builder().preset("tiny").rounds(2).clientsPerRound(4).criticSteps(1)
                .generatorSteps(1).seed(5L).seededPrivacyNoise(3L).build();
        List<List<String>> samples = AggregatorHarness.samples(settings, 2);
        assertTrue(samples.get(0).size() >= 3, "seed 3 samples clients on every partition in round 1: " + samples);
        ClientPods clients = stack.clients();
        List<RoundCompleted> announced = new ArrayList<>();
        List<RoundTask> round1 = new ArrayList<>();
        int stolen = 0;
        try (KafkaProducer<String, String> producer = stack.producer();
             KafkaConsumer<String, String> consumer = stack.consumer()) {
            stack.send(producer, StackResource.TOPICS.populations(), AggregatorHarness.population("moves", settings));
            Set<String> answered = new HashSet<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
            while (announced.isEmpty() || !announced.get(announced.size() - 1).finished()) {
                if (System.nanoTime() > deadline) {
                    fail("rounds not completed in time: " + announced);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(StackResource.TOPICS.rounds())) {
                        RoundCompleted c = Messages.decode(r.value(), RoundCompleted.class);
                        if (c.experimentId().equals("moves")) {
                            announced.add(c);
                        }
                        continue;
                    }
                    RoundTask group = Messages.decode(r.value(), RoundTask.class);
                    if (!group.experimentId().equals("moves")) {
                        continue;
                    }
                    for (RoundTask task : clients.each(group)) {
                        if (!answered.add(task.round() + "/" + task.clientId())) {
                            continue;
                        }
                        if (task.round() > 0) {
                            stack.sendUpdate(producer, task, clients.run(task));
                            continue;
                        }
                        round1.add(task);
                        if (round1.size() == samples.get(0).size()) {
                            // Every update of round 1 but the last is in its partition, held in a share; then a second
                            // replica takes partitions, reads them and dies; then the last update comes.
                            for (RoundTask t : round1.subList(0, round1.size() - 1)) {
                                stack.sendUpdate(producer, t, clients.run(t));
                            }
                            Thread.sleep(1_000);
                            stolen = readAndDie();
                            RoundTask last = round1.get(round1.size() - 1);
                            stack.sendUpdate(producer, last, clients.run(last));
                        }
                    }
                }
            }
        }
        assertTrue(stolen > 0, "the second replica read the round's records");
        assertEquals(List.of(1, 2), announced.stream().map(RoundCompleted::round).toList(), "each round once");
        RunRecord.Outcome outcome = stack.lastOutcome("moves.low_accuracy");
        assertEquals(List.of(samples.get(1).size(), samples.get(1).size(), 0), List.of(outcome.sampled(),
                outcome.received(), outcome.rejected()));
        stack.assertSameAsOneJvmRun(announced.get(1), settings, 2);
        double expected = PrivacyCalculator.forPopulation(6, 4, 0.01, 2).epsilonImproved();
        assertEquals(expected, announced.get(1).epsilon(), 1e-9 * expected, "two rounds accounted");
        assertFalse(announced.get(0).finished());
    }

    /**
     * Joins the shards' group as a second replica, reads what its partitions hold (a round's plan and updates among
     * them), and leaves without committing anything, as a replica that dies before sending its shares.
     *
     * @return the records it read
     */
    private int readAndDie() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, shardsGroup);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        int read = 0;
        try (KafkaConsumer<String, String> replica = new KafkaConsumer<>(p)) {
            replica.subscribe(List.of(StackResource.TOPICS.clientUpdates()));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (read == 0 && System.nanoTime() < deadline) {
                read += replica.poll(Duration.ofMillis(500)).count();
            }
        }
        return read;
    }
}

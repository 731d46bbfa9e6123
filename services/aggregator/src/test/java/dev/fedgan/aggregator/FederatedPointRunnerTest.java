package dev.fedgan.aggregator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.dpsgd.Examples;
import dev.fedgan.core.fairness.FairnessFiles;
import dev.fedgan.core.fairness.FairnessSweep;
import dev.fedgan.core.fairness.SweepSpec;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.FairnessSweeps;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.FairnessPointDone;
import dev.fedgan.protocol.FairnessPointTask;
import dev.fedgan.protocol.FairnessRoundTask;
import dev.fedgan.protocol.FairnessUpdateReady;
import dev.fedgan.protocol.Messages;
import dev.fedgan.service.FairnessFixtures;
import dev.fedgan.service.StackResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The aggregator as the server of a federated fairness point, against a real broker and S3 server, with the test
 * playing the client-update replicas: it runs the point's rounds, takes each drawn user's update once (the test
 * sends every update twice), and stores and announces the point the core trains in one JVM (seeded sampling and
 * noise); points that are not federated are left to the workers; a point redelivered once stored is announced
 * again, not trained again.
 */
@QuarkusTest
@WithTestResource(value = StackResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class FederatedPointRunnerTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ObjectStore objects;

    @Test
    void runsAFederatedPointsRoundsWithTheUsersTrainedElsewhere() throws Exception {
        SweepSpec spec = SweepSpec.demo(200);
        List<FairnessPointTask> tasks = new FairnessSweeps(objects).submit(FairnessFixtures.request("fed-a", spec),
                FairnessFixtures.NO_PATHS);
        FairnessSweeps replica = new FairnessSweeps(objects);
        try (KafkaProducer<String, String> producer = StackResource.producer(bootstrap);
             KafkaConsumer<String, String> rounds = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.fairnessRounds()));
             KafkaConsumer<String, String> results = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.fairnessResults()))) {
            for (int point : new int[] {2, 3}) { // share 0.8: DP-SGD (the workers'), DP-FedAvg (the aggregator's)
                producer.send(new ProducerRecord<>(StackResource.TOPICS.fairnessPoints(), "fed-a/" + point,
                        Messages.encode(tasks.get(point)))).get();
            }
            Set<String> answered = new TreeSet<>();
            FairnessPointDone done = null;
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (done == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : rounds.poll(Duration.ofMillis(200))) {
                    FairnessRoundTask t = Messages.decode(r.value(), FairnessRoundTask.class);
                    assertEquals("fed-a/3/" + t.user(), r.key());
                    FairnessUpdateReady u = replica.userUpdate(t);
                    for (int copy = 0; copy < 2; copy++) { // a redelivered task answered twice: counted once
                        producer.send(new ProducerRecord<>(StackResource.TOPICS.fairnessUpdates(), "fed-a",
                                Messages.encode(u))).get();
                    }
                    answered.add(t.round() + "/" + t.user());
                }
                for (ConsumerRecord<String, String> r : results.poll(Duration.ofMillis(10))) {
                    done = Messages.decode(r.value(), FairnessPointDone.class);
                }
            }
            assertTrue(done != null, "no result within 3 minutes; answered " + answered);
            assertEquals(3, done.point(), "only the federated point is the aggregator's");
            assertTrue(answered.size() > 0);

            Examples[] data = spec.examples();
            FairnessSweep.Point local = FairnessSweep.runPoint(data[0], data[1], spec.sweep(), 3);
            FairnessSweep.Point stored = FairnessFiles.readPoint(new String(objects.get(
                    ExperimentLayout.fairnessPoint("fed-a", 3)), StandardCharsets.UTF_8));
            assertEquals(Arrays.deepToString(local.overall().confusion()),
                    Arrays.deepToString(stored.overall().confusion()));
            assertEquals(local.privacy().epsilonOriginal(), stored.privacy().epsilonOriginal(), 0);
            assertEquals(5, stored.privacy().steps(), "5 rounds, each accounted once");
            assertTrue(objects.list(ExperimentLayout.fairnessRuns("fed-a", 3)).isEmpty(),
                    "the users' updates and the rounds' weights are deleted");
            assertTrue(!objects.exists(ExperimentLayout.fairnessPoint("fed-a", 2)), "the DP-SGD point is not run here");
            assertTrue(results.poll(Duration.ofSeconds(2)).isEmpty(), "one result only");

            // Redelivered once stored: announced again as it was, no round run again.
            producer.send(new ProducerRecord<>(StackResource.TOPICS.fairnessPoints(), "fed-a/3",
                    Messages.encode(tasks.get(3)))).get();
            FairnessPointDone again = null;
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (again == null && System.nanoTime() < until) {
                for (ConsumerRecord<String, String> r : results.poll(Duration.ofMillis(200))) {
                    again = Messages.decode(r.value(), FairnessPointDone.class);
                }
            }
            assertEquals(done, again);
            assertTrue(rounds.poll(Duration.ofSeconds(1)).isEmpty(), "no round task for a stored point");
        }
    }
}

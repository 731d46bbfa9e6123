package dev.fedgan.clientupdate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.dpsgd.DpFedAvgTraining;
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
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.service.FairnessFixtures;
import dev.fedgan.service.Records;
import dev.fedgan.service.StackResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The fairness workers against a real broker and S3 server: each DP-SGD point task run as the core runs it and
 * announced, federated points left to the aggregator, a user's round of a federated point trained and announced.
 */
@QuarkusTest
// A broker and store of its own: its dead letters and topics stay out of the other tests' way.
@WithTestResource(value = StackResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class FairnessPointWorkerTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ObjectStore objects;

    private final Records records = new Records(Duration.ofSeconds(120));

    @Test
    void runsEachPointAsTheCoreDoesAndDeadLettersTasksItCannotRun() throws Exception {
        SweepSpec spec = SweepSpec.demo(200);
        List<FairnessPointTask> tasks = new FairnessSweeps(objects)
                .submit(FairnessFixtures.request("fair-w", spec), FairnessFixtures.NO_PATHS);
        assertEquals(4, tasks.size());
        try (KafkaProducer<String, String> producer = StackResource.producer(bootstrap);
             KafkaConsumer<String, String> results = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.fairnessResults()));
             KafkaConsumer<String, String> updates = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.fairnessUpdates()));
             KafkaConsumer<String, String> dead = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.deadLetter()))) {
            for (FairnessPointTask t : tasks) {
                producer.send(new ProducerRecord<>(StackResource.TOPICS.fairnessPoints(), "fair-w/" + t.point(),
                        Messages.encode(t))).get();
            }
            Set<Integer> done = new TreeSet<>();
            for (int i = 0; i < 2; i++) { // the DP-SGD point of each share; the DP-FedAvg ones are the aggregator's
                FairnessPointDone d = Messages.decode(records.next(results).value(), FairnessPointDone.class);
                assertEquals(ExperimentLayout.fairnessPoint("fair-w", d.point()), d.result().key());
                done.add(d.point());
            }
            assertEquals(Set.of(0, 2), done);
            assertTrue(results.poll(Duration.ofSeconds(2)).isEmpty(), "no federated point run here");

            // The stored point is the one the core computes in one JVM (seeded sampling and noise).
            Examples[] data = spec.examples();
            FairnessSweep.Point local = FairnessSweep.runPoint(data[0], data[1], spec.sweep(), 2);
            FairnessSweep.Point stored = FairnessFiles.readPoint(new String(objects.get(
                    ExperimentLayout.fairnessPoint("fair-w", 2)), StandardCharsets.UTF_8));
            assertArrayEquals(local.overall().confusion(), stored.overall().confusion());
            assertEquals(local.privacy().epsilonOriginal(), stored.privacy().epsilonOriginal(), 0);
            assertEquals(40, stored.minorityExamples(), "20% of 200 inverted at share 0.8");

            // A user's round of the federated point at share 0.8: the update is the core's local update of that
            // user from the round's weights, stored for the aggregator.
            FairnessSweep.FederatedData users = FairnessSweep.federatedData(data[0], spec.sweep(), 3);
            float[] weights = FairnessSweep.network(users.train(), spec.sweep()).params().toFloatVector();
            weights[0] += 0.5f; // any server weights
            FairnessPointTask point = tasks.get(3);
            ObjectRef stored3 = new FairnessSweeps(objects).putRoundWeights(point, "run-1", 2, weights);
            producer.send(new ProducerRecord<>(StackResource.TOPICS.fairnessRounds(), "fair-w/3/7", Messages.encode(
                    new FairnessRoundTask(Messages.SCHEMA, "fair-w", 3, 4, point.sweep(), "run-1", 2, 7, 42L, stored3))))
                    .get();
            FairnessUpdateReady u = Messages.decode(records.next(updates).value(), FairnessUpdateReady.class);
            assertEquals(List.of(3, 2, 7), List.of(u.point(), u.round(), u.user()));
            float[] expected = DpFedAvgTraining.localUpdate(FairnessSweep.network(users.train(), spec.sweep()), weights,
                    users.train(), users.users()[7], users.federated(), 42L);
            assertArrayEquals(expected, new FairnessSweeps(objects).update(u, expected.length));

            producer.send(new ProducerRecord<>(StackResource.TOPICS.fairnessPoints(), "x", "{\"schema\":1,")).get();
            String reason = Records.header(records.next(dead), "dead-letter-reason");
            assertTrue(reason.startsWith("client-update: ") && reason.contains("malformed JSON"), reason);
            FairnessPointTask wrong = new FairnessPointTask(Messages.SCHEMA, "fair-w", 3, 5, tasks.get(0).sweep());
            producer.send(new ProducerRecord<>(StackResource.TOPICS.fairnessPoints(), "x", Messages.encode(wrong))).get();
            reason = Records.header(records.next(dead), "dead-letter-reason");
            assertTrue(reason.contains("has 5 points; the stored sweep has 4"), reason);
        }
    }
}

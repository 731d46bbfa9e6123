package dev.fedgan.clientupdate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import dev.fedgan.protocol.Messages;
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

/** The fairness worker against a real broker and S3 server: each point task run as the core runs it, and announced. */
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
                .submit(FairnessFixtures.request("fair-w", spec));
        assertEquals(4, tasks.size());
        try (KafkaProducer<String, String> producer = StackResource.producer(bootstrap);
             KafkaConsumer<String, String> results = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.fairnessResults()));
             KafkaConsumer<String, String> dead = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.deadLetter()))) {
            for (FairnessPointTask t : tasks) {
                producer.send(new ProducerRecord<>(StackResource.TOPICS.fairnessPoints(), "fair-w/" + t.point(),
                        Messages.encode(t))).get();
            }
            Set<Integer> done = new TreeSet<>();
            for (int i = 0; i < tasks.size(); i++) { // the two points of each share
                FairnessPointDone d = Messages.decode(records.next(results).value(), FairnessPointDone.class);
                assertEquals(ExperimentLayout.fairnessPoint("fair-w", d.point()), d.result().key());
                done.add(d.point());
            }
            assertEquals(Set.of(0, 1, 2, 3), done);

            // The stored point is the one the core computes in one JVM (seeded sampling and noise).
            Examples[] data = spec.examples();
            for (int point : new int[] {2, 3}) { // share 0.8: DP-SGD, DP-FedAvg
                FairnessSweep.Point local = FairnessSweep.runPoint(data[0], data[1], spec.sweep(), point);
                FairnessSweep.Point stored = FairnessFiles.readPoint(new String(objects.get(
                        ExperimentLayout.fairnessPoint("fair-w", point)), StandardCharsets.UTF_8));
                assertArrayEquals(local.overall().confusion(), stored.overall().confusion());
                assertEquals(local.privacy().epsilonOriginal(), stored.privacy().epsilonOriginal(), 0);
                assertEquals(40, stored.minorityExamples(), "20% of 200 inverted at share 0.8");
            }

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

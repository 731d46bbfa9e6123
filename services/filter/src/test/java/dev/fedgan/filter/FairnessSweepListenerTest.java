package dev.fedgan.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.fairness.SweepSpec;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.objectstore.ObjectStore;
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
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** A submitted fairness sweep becomes one task per point, keyed apart; an absurd one is dead-lettered, none sent. */
@QuarkusTest
// A broker and store of its own: its dead letters and topics stay out of the other tests' way.
@WithTestResource(value = StackResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class FairnessSweepListenerTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ObjectStore objects;

    private final Records records = new Records(Duration.ofSeconds(60));

    @Test
    void aSweepIsStoredAndSplitIntoPointTasks() throws Exception {
        try (KafkaProducer<String, String> producer = StackResource.producer(bootstrap);
             KafkaConsumer<String, String> points = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.fairnessPoints()));
             KafkaConsumer<String, String> dead = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.deadLetter()))) {
            SweepSpec spec = SweepSpec.demo(1_000_000);
            producer.send(new ProducerRecord<>(StackResource.TOPICS.fairnessSweeps(), "fair-bad",
                    Messages.encode(FairnessFixtures.request("fair-bad", spec)))).get();
            String reason = Records.header(records.next(dead), "dead-letter-reason");
            assertTrue(reason.startsWith("filter: ") && reason.contains("cannot give 1000000 training examples"),
                    reason);
            assertTrue(objects.list(ExperimentLayout.experiment("fair-bad")).isEmpty(), "nothing stored");

            producer.send(new ProducerRecord<>(StackResource.TOPICS.fairnessSweeps(), "fair-f",
                    Messages.encode(FairnessFixtures.request("fair-f", SweepSpec.demo(200))))).get();
            Map<String, FairnessPointTask> tasks = new TreeMap<>();
            for (int i = 0; i < 4; i++) {
                ConsumerRecord<String, String> r = records.next(points);
                tasks.put(r.key(), Messages.decode(r.value(), FairnessPointTask.class));
            }
            assertEquals(List.of("fair-f/0", "fair-f/1", "fair-f/2", "fair-f/3"), List.copyOf(tasks.keySet()));
            FairnessPointTask first = tasks.get("fair-f/0");
            assertEquals(4, first.points());
            assertEquals(ExperimentLayout.fairnessSweep("fair-f"), first.sweep().key());
            assertEquals(SweepSpec.demo(200), SweepSpec.fromJson(new String(objects.get(first.sweep().key()),
                    StandardCharsets.UTF_8)));
        }
    }
}

package dev.fedgan.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.data.ColourImageFile;
import dev.fedgan.core.gan.rgb.RgbSpec;
import dev.fedgan.core.io.Json;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.RgbRequest;
import dev.fedgan.protocol.RgbRunTask;
import dev.fedgan.service.Records;
import dev.fedgan.service.StackResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A submitted RGB run is stored with each client's images apart and handed to the aggregator; one whose data lies
 * outside the data roots, or that asks for the quality figure on data other than the shapes, is dead-lettered with
 * the reason and nothing is stored.
 */
@QuarkusTest
@WithTestResource(value = StackResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class RgbRequestListenerTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ObjectStore objects;

    private final Records records = new Records(Duration.ofSeconds(60));

    private static String request(String id, RgbSpec spec) throws Exception {
        return Messages.encode(new RgbRequest(Messages.SCHEMA, id, Json.MAPPER.readTree(spec.toJson())));
    }

    @Test
    void aRunIsStoredClientByClientAndHandedToTheAggregator() throws Exception {
        try (KafkaProducer<String, String> producer = StackResource.producer(bootstrap);
             KafkaConsumer<String, String> runs = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.rgbRuns()));
             KafkaConsumer<String, String> dead = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.deadLetter()))) {
            RgbSpec outside = new RgbSpec("/etc", 0, "folder", 2, 2, 1, 1, 4, 1.0, 1.1, false, 2e-4, 1, false, 1,
                    false);
            producer.send(new ProducerRecord<>(StackResource.TOPICS.rgbRequests(), "rgb-bad",
                    request("rgb-bad", outside))).get();
            String reason = Records.header(records.next(dead), "dead-letter-reason");
            assertTrue(reason.startsWith("filter: data '/etc' is outside the data roots"), reason);
            assertTrue(objects.list(ExperimentLayout.experiment("rgb-bad")).isEmpty(), "nothing stored");

            RgbSpec shapes = new RgbSpec("shapes", 24, "even:3", 2, 2, 2, 1, 4, 1.0, 1.1, false, 2e-4, 1, true, 1,
                    false);
            producer.send(new ProducerRecord<>(StackResource.TOPICS.rgbRequests(), "rgb-f",
                    request("rgb-f", shapes))).get();
            ConsumerRecord<String, String> r = records.next(runs);
            assertEquals("rgb-f", r.key());
            RgbRunTask task = Messages.decode(r.value(), RgbRunTask.class);
            assertEquals(3, task.clients());
            assertEquals(2, task.rounds());
            assertEquals(ExperimentLayout.rgbSpec("rgb-f"), task.spec().key());
            assertEquals(8, ColourImageFile.read(objects.get(ExperimentLayout.rgbClientImages("rgb-f", 2)), "k")
                    .size(), "each client's images stored apart");
        }
    }
}

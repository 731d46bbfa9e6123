package dev.fedgan.clientupdate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.gan.rgb.FederationServer;
import dev.fedgan.core.gan.rgb.RgbSpec;
import dev.fedgan.core.io.Json;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.modelstore.RgbRuns;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RgbRequest;
import dev.fedgan.protocol.RgbRoundTask;
import dev.fedgan.protocol.RgbRunTask;
import dev.fedgan.protocol.RgbUpdateReady;
import dev.fedgan.service.FairnessFixtures;
import dev.fedgan.service.Records;
import dev.fedgan.service.StackResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A client's round of an RGB run on a replica: the networks it stores are those the same client gives in the test's
 * own JVM; a task naming a client the run lacks is dead-lettered with the reason.
 */
@QuarkusTest
@WithTestResource(value = StackResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class RgbRoundWorkerTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ObjectStore objects;

    private final Records records = new Records(Duration.ofSeconds(120));

    @Test
    void trainsTheClientItIsGivenAndDeadLettersOneTheRunLacks() throws Exception {
        RgbSpec spec = new RgbSpec("shapes", 16, "even:2", 2, 2, 1, 2, 4, 1.0, 1.1, false, 2e-4, 3, true, 1, false);
        RgbRuns aggregator = new RgbRuns(objects);
        RgbRunTask run = aggregator.submit(new RgbRequest(Messages.SCHEMA, "rgb-w",
                Json.MAPPER.readTree(spec.toJson())), FairnessFixtures.NO_PATHS);
        FederationServer server = aggregator.start(run, "r1").server();
        server.begin();
        ObjectRef global = aggregator.putGlobal("rgb-w", "r1", 1, server);
        try (KafkaProducer<String, String> producer = StackResource.producer(bootstrap);
             KafkaConsumer<String, String> updates = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.rgbUpdates()));
             KafkaConsumer<String, String> dead = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.deadLetter()))) {
            RgbRoundTask lacking = new RgbRoundTask(Messages.SCHEMA, "rgb-w", run.spec(), "r1", 1, 5, global);
            producer.send(new ProducerRecord<>(StackResource.TOPICS.rgbRounds(), "rgb-w/5",
                    Messages.encode(lacking))).get();
            String reason = Records.header(records.next(dead), "dead-letter-reason");
            assertTrue(reason.contains("names client 5, whose images the run does not have"), reason);

            RgbRoundTask task = new RgbRoundTask(Messages.SCHEMA, "rgb-w", run.spec(), "r1", 1, 1, global);
            producer.send(new ProducerRecord<>(StackResource.TOPICS.rgbRounds(), "rgb-w/1",
                    Messages.encode(task))).get();
            RgbUpdateReady u = Messages.decode(records.next(updates).value(), RgbUpdateReady.class);
            assertEquals(1, u.client());
            assertEquals(2, u.steps());
            int n = Math.toIntExact(server.discriminator().numParams() + server.generator().numParams());
            float[] stored = new ModelStore(objects).getDelta(u.update(), n);
            float[] here = new ModelStore(objects).getDelta(new RgbRuns(objects).clientRound(task).update(), n);
            assertArrayEquals(here, stored, "the replica's networks are the client's (seeded run)");
        }
    }
}

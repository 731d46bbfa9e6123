package dev.fedgan.imagerender;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.gan.rgb.DcganFederation;
import dev.fedgan.core.gan.rgb.RgbRunFiles;
import dev.fedgan.core.gan.rgb.RgbSpec;
import dev.fedgan.core.io.Json;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.RgbRuns;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.RgbRequest;
import dev.fedgan.protocol.RgbRoundDone;
import dev.fedgan.protocol.RgbRunTask;
import dev.fedgan.service.Endpoints;
import dev.fedgan.service.FairnessFixtures;
import dev.fedgan.service.Records;
import dev.fedgan.service.StackResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * An RGB run's announced round rendered into its files (the grid, rounds.csv with the ε announced, after the last
 * round the GIF and the report) and its progress exported; an announcement that cannot be read is dead-lettered.
 */
@QuarkusTest
@WithTestResource(value = StackResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class RgbRenderListenerTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @Inject
    ObjectStore objects;

    private final Records records = new Records(Duration.ofSeconds(60));

    @Test
    void rendersTheRoundsFilesAndExportsTheRunsProgress() throws Exception {
        RgbSpec spec = new RgbSpec("shapes", 16, "even:2", 2, 2, 1, 1, 4, 1.0, 1.1, false, 2e-4, 3, true, 1, false);
        RgbRuns aggregator = new RgbRuns(objects);
        RgbRunTask run = aggregator.submit(new RgbRequest(Messages.SCHEMA, "rgb-r",
                Json.MAPPER.readTree(spec.toJson())), FairnessFixtures.NO_PATHS);
        DcganFederation.Server server = (DcganFederation.Server) aggregator.start(run, "r1").server();
        server.begin();
        for (int k = 0; k < 2; k++) { // the clients' networks as the global ones: the round's average is the start
            server.add(k, server.discriminator().params(), server.generator().params(),
                    new DcganFederation.ClientRound(1.0, 1, 0.5, 0.25, 1));
        }
        RgbRoundDone done = aggregator.finishRound(run, "r1", server, server.finish()).done();
        try (KafkaProducer<String, String> producer = StackResource.producer(bootstrap);
             KafkaConsumer<String, String> dead = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.deadLetter()))) {
            producer.send(new ProducerRecord<>(StackResource.TOPICS.rgbResults(), "rgb-r",
                    Messages.encode(done))).get();
            Endpoints.awaitMetric(metrics, "fedgan_rgb_rounds{experiment=\"rgb-r\",state=\"done\"} 1.0");
            Endpoints.awaitMetric(metrics, "fedgan_rgb_epsilon{experiment=\"rgb-r\"} " + done.epsilon());
            String csv = new String(objects.get(ExperimentLayout.file("rgb-r", RgbRunFiles.CSV)),
                    StandardCharsets.UTF_8);
            assertTrue(csv.endsWith("1,0.500000,0.250000," + done.epsilon() + ",\n"), csv);
            for (String f : List.of(RgbRunFiles.grid(1), RgbRunFiles.GIF, RgbRunFiles.HTML)) {
                assertTrue(objects.exists(ExperimentLayout.file("rgb-r", f)), f);
            }

            producer.send(new ProducerRecord<>(StackResource.TOPICS.rgbResults(), "x", "[1]")).get();
            String reason = Records.header(records.next(dead), "dead-letter-reason");
            assertTrue(reason.startsWith("image-render: "), reason);
        }
    }
}

package dev.fedgan.imagerender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.fairness.FairnessFiles;
import dev.fedgan.core.fairness.SweepSpec;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.FairnessSweeps;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.FairnessPointDone;
import dev.fedgan.protocol.FairnessPointTask;
import dev.fedgan.protocol.Messages;
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

/** A fairness sweep's progress in the metrics, and its files once every point is stored. */
@QuarkusTest
// A broker and store of its own: its dead letters and topics stay out of the other tests' way.
@WithTestResource(value = StackResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class FairnessReportListenerTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @Inject
    ObjectStore objects;

    private final Records records = new Records(Duration.ofSeconds(60));

    @Test
    void writesTheSweepsFilesOnceEveryPointIsStored() throws Exception {
        FairnessSweeps sweeps = new FairnessSweeps(objects);
        List<FairnessPointTask> tasks = sweeps.submit(FairnessFixtures.request("fair-r", SweepSpec.demo(200)),
                FairnessFixtures.NO_PATHS);
        try (KafkaProducer<String, String> producer = StackResource.producer(bootstrap);
             KafkaConsumer<String, String> dead = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.deadLetter()))) {
            FairnessPointDone first = sweeps.runPoint(tasks.get(0));
            producer.send(new ProducerRecord<>(StackResource.TOPICS.fairnessResults(), "fair-r",
                    Messages.encode(first))).get();
            Endpoints.awaitMetric(metrics, "fedgan_fairness_points{state=\"stored\",sweep=\"fair-r\"} 1.0");
            assertTrue(Endpoints.get(metrics).body().contains(
                    "fedgan_fairness_points{state=\"total\",sweep=\"fair-r\"} 4.0"));
            assertTrue(objects.list(ExperimentLayout.files("fair-r")).isEmpty(), "no files before every point");

            FairnessPointDone last = null;
            for (FairnessPointTask t : tasks.subList(1, tasks.size())) {
                last = sweeps.runPoint(t);
            }
            producer.send(new ProducerRecord<>(StackResource.TOPICS.fairnessResults(), "fair-r",
                    Messages.encode(last))).get();
            Endpoints.awaitMetric(metrics, "fedgan_fairness_points{state=\"stored\",sweep=\"fair-r\"} 4.0");
            assertEquals(FairnessFiles.NAMES.stream().map(n -> ExperimentLayout.file("fair-r", n)).sorted().toList(),
                    objects.list(ExperimentLayout.files("fair-r")));
            List<String> rows = new String(objects.get(ExperimentLayout.file("fair-r", FairnessFiles.POINTS_CSV)),
                    StandardCharsets.UTF_8).lines().toList();
            assertEquals(1 + 4 * 3, rows.size());
            assertTrue(rows.get(7).startsWith("0.8,DP-SGD z 1,overall,200,"), rows.get(7));

            producer.send(new ProducerRecord<>(StackResource.TOPICS.fairnessResults(), "x", "[1]")).get();
            String reason = Records.header(records.next(dead), "dead-letter-reason");
            assertTrue(reason.startsWith("image-render: "), reason);
        }
    }
}

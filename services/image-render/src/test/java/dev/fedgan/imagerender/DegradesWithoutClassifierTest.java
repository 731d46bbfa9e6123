package dev.fedgan.imagerender;

import static dev.fedgan.imagerender.CoreDrawings.PRESET;
import static dev.fedgan.imagerender.CoreDrawings.SEED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.NetworkWeights;
import dev.fedgan.core.gan.PopulationComparison;
import dev.fedgan.core.io.Json;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.ImagesReady;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.service.StackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Experiment r2, without classifier nor filter files: the grids and the mean pixel still, no classifier score or
 * FCD, and a report that says what is missing.
 */
@QuarkusTest
@WithTestResource(StackResource.class)
class DegradesWithoutClassifierTest {

    static final String ID = "r2";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @Inject
    ModelStore models;

    @Inject
    ObjectStore objects;

    @TempDir
    Path tmp;

    @Test
    void withoutClassifierNorFilterFilesTheMeanPixelAndAReportSayingWhatIsMissing() throws Exception {
        NetworkWeights initial = GanNetworks.initialGenerator(PRESET, SEED);
        CoreDrawings.Drawn core = CoreDrawings.coreDraw(initial, null);
        ExperimentRequest request = ExperimentRequest.builder().experimentId(ID).data("bundled:field")
                .invertProbability(0.5).bugSeed(7).gan(RenderTraffic.ONE).build();
        String before = RenderTraffic.metrics(metrics);
        List<ImagesReady> r2;
        try (RenderTraffic t = new RenderTraffic(ID, bootstrap, models, objects)) {
            for (String gan : List.of("low_accuracy", "high_accuracy")) {
                t.send(StackResource.TOPICS.populations(), new PopulationReady(1, ID, gan, List.of("f0001", "f0002"),
                        2, 1e-5, RenderTraffic.NONE, null, request));
                ObjectRef g = models.putWeights(ID + "." + gan, "generator", 1, initial);
                t.send(StackResource.TOPICS.rounds(), t.round(gan, 1, g, true, RenderTraffic.ONE, 2));
            }
            t.collect(() -> t.announced.stream().anyMatch(i -> i.report() != null));
            r2 = List.copyOf(t.announced);

            assertEquals(4, r2.size(), r2.toString());
            r2.forEach(i -> {
                assertNull(i.classifierScore());
                assertNull(i.frechetDistance());
            });
            ImagesReady last = r2.stream().filter(i -> i.report() != null).findFirst().orElseThrow();
            assertEquals(core.mean(), last.meanPixel(), 1e-6);
            assertEquals(PopulationComparison.compare(CoreDrawings.side(core.mean()), CoreDrawings.side(core.mean()),
                    core.grid(), core.grid(), dev.fedgan.core.gan.eval.PolarityScale.REFERENCE, tmp.resolve("cmp2.png"))
                    .verdict(), last.verdict());
            JsonNode report = Json.MAPPER.readTree(t.text("report.json"));
            assertTrue(report.get("classifier").isNull());
            assertTrue(report.get("selection").isNull());
            assertTrue(report.get("histogram").isNull());
            String html = t.text("report.html");
            assertTrue(html.contains("Primary classifier: not available"), html);
            assertTrue(html.contains("The private selection is not available"), html);
        }

        String after = RenderTraffic.metrics(metrics);
        // rounds 0 and 1 of each GAN
        assertEquals(4, RenderTraffic.sampleOrZero(after, "fedgan_images_rendered_total")
                - RenderTraffic.sampleOrZero(before, "fedgan_images_rendered_total"), after);
        assertEquals(1, RenderTraffic.sampleOrZero(after, "fedgan_reports_total")
                - RenderTraffic.sampleOrZero(before, "fedgan_reports_total"), after);
        assertFalse(after.contains("fedgan_classifier_score{experiment=\"r2\""), after);
    }
}

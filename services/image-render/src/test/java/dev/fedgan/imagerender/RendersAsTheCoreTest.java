package dev.fedgan.imagerender;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fedgan.core.gan.GanEvaluator;
import dev.fedgan.core.gan.GanExperiment;
import dev.fedgan.core.gan.GanRunFiles;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.PopulationComparison;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.privacy.ExperimentPrivacy;
import dev.fedgan.core.privacy.PrivacyStatement;
import dev.fedgan.core.privacy.SelectionPrivacy;
import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.ImagesReady;
import dev.fedgan.service.Endpoints;
import dev.fedgan.service.StackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Experiment r1 ({@link TwoGanScenario}): everything the service draws and writes is what the core computes. */
@QuarkusTest
@WithTestResource(StackResource.class)
class RendersAsTheCoreTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @Inject
    ModelStore models;

    @Inject
    ObjectStore objects;

    @Inject
    ImageRenderService service;

    TwoGanScenario r1;
    RenderTraffic t;

    @BeforeEach
    void playTheScenarioOnce() throws Exception {
        r1 = TwoGanScenario.run(bootstrap, models, objects, service, metrics);
        t = r1.traffic;
    }

    @Test
    void everyDueRoundIsAnnouncedOnceDespiteParkingDuplicatesAndARestart() {
        // rounds 0-3 of low (1 parked before its population, 2 once despite the duplicate), 0-2 of high
        assertEquals(List.of(0, 1, 2, 3), t.rounds("low_accuracy"));
        assertEquals(List.of(0, 1, 2), t.rounds("high_accuracy"));
        assertTrue(t.dead.isEmpty(), "no dead letters: " + t.dead);
        assertEquals(r1.initial.mean(), t.announced("low_accuracy", 0).meanPixel(), 1e-6, "round 0 is the initial generator");
        assertEquals(r1.initial.mean(), t.announced("low_accuracy", 1).meanPixel(), 1e-6, "the parked round 1");
    }

    @Test
    void theStoredGridAndTheMetricsAreTheCores() throws Exception {
        ImagesReady lowLast = t.announced("low_accuracy", 3);
        assertEquals(r1.low.mean(), lowLast.meanPixel(), 1e-6);
        assertEquals("INVERTED", lowLast.polarity());
        assertEquals(r1.low.score(), lowLast.classifierScore(), 1e-6);
        assertEquals(r1.low.fcd(), lowLast.frechetDistance(), 1e-6 * r1.low.fcd(),
                "the FCD is against the lab data (bundled:lab), not the users' bundled:field");
        assertTrue(lowLast.grid().key().endsWith("experiments/r1/files/gans/low_accuracy/images/gen_images_step_00003.png"),
                lowLast.grid().key());
        BufferedImage stored = ImageIO.read(new ByteArrayInputStream(objects.get(lowLast.grid().key(),
                lowLast.grid().size(), lowLast.grid().sha256())));
        assertEquals(6 * 28, stored.getWidth());
        assertEquals(6 * 28, stored.getHeight());
        CoreDrawings.assertRasterEquals(r1.low.grid(), stored);
        ImagesReady highLast = t.announced("high_accuracy", 2);
        assertEquals(r1.high.mean(), highLast.meanPixel(), 1e-6);
        assertEquals("NORMAL", highLast.polarity());
        assertNull(highLast.report(), "the first GAN to finish has no report yet");
    }

    @Test
    void eachGansFilesAreTheBytesTheOneJvmRunWrites() throws Exception {
        String evaluations = t.text("gans/low_accuracy/evaluations.csv");
        assertEquals(5, evaluations.lines().count(), evaluations);
        assertTrue(evaluations.lines().skip(4).findFirst().orElseThrow().startsWith("3,"), evaluations);
        List<GanExperiment.Evaluation> list = Json.MAPPER.readValue(t.bytes("gans/low_accuracy/" + GanRunFiles.EVALUATIONS),
                new TypeReference<List<GanExperiment.Evaluation>>() { });
        assertArrayEquals(GanRunFiles.evaluationsJson(list), t.bytes("gans/low_accuracy/" + GanRunFiles.EVALUATIONS));
        assertArrayEquals(GanRunFiles.evaluationsCsv(list), t.bytes("gans/low_accuracy/" + GanRunFiles.EVALUATIONS_CSV));
        List<BufferedImage> grids = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (GanExperiment.Evaluation e : list) {
            grids.add(ImageIO.read(new ByteArrayInputStream(t.bytes("gans/low_accuracy/" + e.grid()))));
            captions.add(GanEvaluator.caption(e.round()));
        }
        assertArrayEquals(GanRunFiles.gif(grids, captions), t.bytes("gans/low_accuracy/grids.gif"));
        assertEquals(4, t.gifFrames("gans/low_accuracy/grids.gif"), "the restarted renderer animates every grid");
        assertEquals(3, t.gifFrames("gans/high_accuracy/grids.gif"));
        JsonNode privacy = Json.MAPPER.readTree(t.text("gans/low_accuracy/privacy.json"));
        assertEquals(3, privacy.get("rounds").asInt());
        assertFalse(privacy.get("secure_noise").asBoolean());
        GanTrainingConfig c = GanSettingsMapping.config(RenderTraffic.SETTINGS);
        // N = the released N̂, δ = the experiment's from the population message, as the one-JVM run states them.
        assertArrayEquals(GanRunFiles.privacyJson(PrivacyStatement.of(TwoGanScenario.LOW_SIZE,
                c.clientsPerRound(), c.noiseMultiplier(), c.clip(), 3, 1e-5, false)),
                t.bytes("gans/low_accuracy/privacy.json"));
    }

    @Test
    void theGanFinishingSecondCarriesTheCoresVerdictAndTheReport() throws Exception {
        ImagesReady lowLast = t.announced("low_accuracy", 3);
        assertNotNull(lowLast.report(), "the GAN finishing second carries the report");
        assertTrue(lowLast.report().key().endsWith("experiments/r1/files/report.html"), lowLast.report().key());
        String expectedVerdict = PopulationComparison.compare(CoreDrawings.side(r1.low.mean()),
                CoreDrawings.side(r1.high.mean()), r1.low.grid(), r1.high.grid(), CoreDrawings.labScale(),
                r1.tmp.resolve("cmp.png")).verdict();
        assertEquals(expectedVerdict, lowLast.verdict());
        assertTrue(lowLast.verdict().startsWith("The low-accuracy users' data is inverted"), lowLast.verdict());
        JsonNode report = Json.MAPPER.readTree(t.text("report.json"));
        assertEquals(expectedVerdict, report.get("verdict").asText());
        // The whole experiment's ε: the released selection (z = 5, two releases) composed with the two GANs as
        // their privacy statements have them (N̂, the rounds each released), in the report and the message.
        GanTrainingConfig c = GanSettingsMapping.config(RenderTraffic.SETTINGS);
        double total = ExperimentPrivacy.of(SelectionPrivacy.of(5), Map.of(
                "low_accuracy", PrivacyStatement.of(TwoGanScenario.LOW_SIZE, c.clientsPerRound(), c.noiseMultiplier(),
                        c.clip(), 3, 1e-5, false),
                "high_accuracy", PrivacyStatement.of(TwoGanScenario.HIGH_SIZE, c.clientsPerRound(), c.noiseMultiplier(),
                        c.clip(), 2, 1e-5, false)), 1e-5).epsilonImproved();
        assertEquals(total, lowLast.experimentEpsilon(), 1e-9 * total);
        assertEquals(total, report.get("privacy").get("epsilon_improved").asDouble(), 1e-9 * total);
        assertTrue(report.get("inversion_found").asBoolean());
        assertEquals(r1.classifier.provenance().testAccuracy(), report.get("classifier").get("test_accuracy").asDouble(),
                1e-12);
        // The private selection's release, as the filter stored it; no member and no ground truth.
        assertEquals(100, report.get("selection").get("users").asInt());
        assertTrue(report.get("histogram").isNull(), "the scenario stores no histogram picture");
        assertEquals(TwoGanScenario.LOW_SIZE, report.get("selection").get("populations").get(0).get("population_size")
                .asInt());
        JsonNode low = report.get("gans").get("low");
        assertEquals("by_user/acc_lt0p42", low.get("population").asText());
        assertEquals(TwoGanScenario.LOW_SIZE, low.get("population_size").asInt());
        assertEquals(TwoGanScenario.LOW_SIZE, low.get("gan").get("privacy").get("population").asInt());
        assertFalse(low.has("truly_inverted") || low.has("clients"), low.toString());
        for (String member : TwoGanScenario.LOW_CLIENTS) {
            assertFalse(t.text("report.json").contains(member) || t.text("report.html").contains(member), member);
        }
        assertEquals(4, low.get("gan").get("evaluations").size());
        assertEquals(r1.low.mean(), low.get("gan").get("last").get("mean_pixel").asDouble(), 1e-6);
        String html = t.text("report.html");
        assertTrue(html.contains(expectedVerdict.replace("&", "&amp;")), html);
        BufferedImage picture = ImageIO.read(new ByteArrayInputStream(objects.get("experiments/r1/files/low_vs_high.png")));
        assertTrue(picture.getWidth() > 2 * 6 * 28, "side by side: " + picture.getWidth());
    }

    @Test
    void metricsCountWhatWasDrawnAndGaugeTheLatestEvaluation() {
        String prom = r1.metricsAfter;
        // low 0-3, high 0-2
        assertEquals(7, r1.grew("fedgan_images_rendered_total"), prom);
        assertEquals(1, r1.grew("fedgan_render_duplicates_total"), prom);
        assertTrue(r1.grew("fedgan_render_parked_total") >= 1, prom);
        assertEquals(1, r1.grew("fedgan_reports_total"), prom);
        assertTrue(prom.contains("fedgan_render_duration_seconds_count"), prom);
        assertEquals(r1.low.mean(), Endpoints.sample(prom, "fedgan_generated_mean_pixel{experiment=\"r1\",gan=\"low_accuracy\"}"), 1e-6);
        assertEquals(r1.high.mean(), Endpoints.sample(prom, "fedgan_generated_mean_pixel{experiment=\"r1\",gan=\"high_accuracy\"}"), 1e-6);
        assertEquals(r1.low.score(), Endpoints.sample(prom, "fedgan_classifier_score{experiment=\"r1\",gan=\"low_accuracy\"}"), 1e-6);
        assertTrue(prom.contains("fedgan_frechet_distance{experiment=\"r1\",gan=\"low_accuracy\"}"), prom);
    }
}

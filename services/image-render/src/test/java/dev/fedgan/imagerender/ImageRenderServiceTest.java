package dev.fedgan.imagerender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fedgan.core.classifier.ClassifierTraining;
import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.gan.ClientTraining;
import dev.fedgan.core.gan.GanExperiment;
import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.GeneratorSampler;
import dev.fedgan.core.gan.NetworkWeights;
import dev.fedgan.core.gan.PopulationComparison;
import dev.fedgan.core.gan.eval.GanMetrics;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.measure.MeasurementFiles;
import dev.fedgan.core.population.PopulationSummary;
import dev.fedgan.core.progress.Progress;
import dev.fedgan.core.render.ImageGrid;
import dev.fedgan.core.privacy.PrivacyStatement;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.ImagesReady;
import dev.fedgan.protocol.Message;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.service.Endpoints;
import dev.fedgan.service.Records;
import dev.fedgan.service.StackResource;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The image-render service against a real broker and S3 server, with this test playing the filter (classifier,
 * measurement and population files in the store, PopulationReady) and the aggregator (generators in the store,
 * RoundCompleted). The low-accuracy GAN's generator is made to draw inverted images (final bias +3), the
 * high-accuracy one's normal images (−3), so the verdict is a real "inversion found". Everything the service
 * draws is compared with the core computed here in the test JVM.
 */
@QuarkusTest
@WithTestResource(StackResource.class)
class ImageRenderServiceTest {

    static final Duration WAIT = Duration.ofSeconds(90);
    static final GanPreset PRESET = GanPreset.TINY;
    static final long SEED = 5;
    /** 3 rounds, images every 2: rounds 0 (population), 1, 2 and 3 (finished) are drawn. */
    static final GanSettings SETTINGS = new GanSettings("tiny", 3, 2, 1, 1, null, null, null, null, null, 2, SEED,
            null, null, 11L);
    static final List<String> LOW_CLIENTS = List.of("f0000", "f0001", "f0002");
    static final List<String> HIGH_CLIENTS = List.of("f0003", "f0004", "f0005", "f0006");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TestHTTPResource("/q/health/ready")
    URL ready;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @Inject
    ModelStore models;

    @Inject
    ObjectStore objects;

    @Inject
    ImageRenderService service;

    @TempDir
    Path tmp;

    final List<ImagesReady> announced = new ArrayList<>();
    final List<ConsumerRecord<String, String>> dead = new ArrayList<>();

    @Test
    void rendersGridsMetricsGifAndTheReportAsTheCoreDoesAndDeadLettersBadInput() throws Exception {
        // ---- the filter's part: a tiny classifier and the files fedgan debug --out would hold
        FederatedDataset lab = DatasetLoader.load("bundled:lab", WriterPartition.Options.DEFAULT);
        PrimaryClassifier classifier = ClassifierTraining.train(
                lab.restrictTo("small", lab.byId().keySet().stream().limit(4).toList()),
                lab.restrictTo("test", lab.byId().keySet().stream().skip(90).limit(2).toList()),
                new ClassifierTraining.Options(1, 32, 1e-3, 0, 99), Progress.NONE);
        ObjectRef classifierRef = models.putClassifier(classifier);
        Json.write(tmp.resolve("classifier.json"), classifier.provenance());
        models.putFile("r1", "classifier/classifier.json", tmp.resolve("classifier.json"));
        Json.write(tmp.resolve("measurement.json"), new MeasurementFiles.Summary("bundled:field", "abc", "classifier",
                0.5, 7, 100, 10_000, 50, 0.71, 0.42, 0.97, new int[100], 1.5));
        models.putFile("r1", "measurement/measurement.json", tmp.resolve("measurement.json"));
        ObjectRef[] lowFiles = population(tmp, "acc_lt0p42", "low_accuracy", LOW_CLIENTS, 3);
        ObjectRef[] highFiles = population(tmp, "acc_gt0p97", "high_accuracy", HIGH_CLIENTS, 0);

        // ---- the aggregator's part: generators; low draws inverted digits, high normal ones
        NetworkWeights initial = GanNetworks.initialGenerator(PRESET, SEED);
        NetworkWeights inverted = withFinalBias(initial, 3f);
        NetworkWeights normal = withFinalBias(initial, -3f);
        ObjectRef low1 = models.putWeights("r1.low_accuracy", "generator", 1, initial);
        ObjectRef low2 = models.putWeights("r1.low_accuracy", "generator", 2, inverted);
        ObjectRef low3 = models.putWeights("r1.low_accuracy", "generator", 3, inverted);
        ObjectRef high1 = models.putWeights("r1.high_accuracy", "generator", 1, initial);
        ObjectRef high2 = models.putWeights("r1.high_accuracy", "generator", 2, normal);
        ObjectRef critic = models.putWeights("r1.high_accuracy", "critic", 2, GanNetworks.initialCritic(PRESET, SEED + 1));
        NetworkWeights nan = initial.copy();
        nan.get("g_dense1_W").putScalar(0, Float.NaN);
        ObjectRef nanRef = models.putWeights("r1.high_accuracy", "generator", 2, nan);

        ExperimentRequest request = new ExperimentRequest(1, "r1", "bundled:field", null, classifierRef, 0.5, 7, null,
                null, SETTINGS, null, null, null);
        PopulationReady lowPop = new PopulationReady(1, "r1", "low_accuracy", LOW_CLIENTS, lowFiles[0], lowFiles[1], request);
        PopulationReady highPop = new PopulationReady(1, "r1", "high_accuracy", HIGH_CLIENTS, highFiles[0], highFiles[1],
                request);

        try (KafkaProducer<String, String> producer = StackResource.producer(bootstrap);
             KafkaConsumer<String, String> imagesOut = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.images(), StackResource.TOPICS.deadLetter()))) {
            // 1. A round before its population: kept in the store, not lost.
            send(producer, StackResource.TOPICS.rounds(), round("r1", "low_accuracy", 1, low1, false));
            String parkedKey = ExperimentLayout.parkedRound("r1", "low_accuracy", 1);
            waitFor(() -> objects.exists(parkedKey), "round 1 parked at " + parkedKey);

            // 2. The populations (low twice: known once); each draws round 0, then the parked round 1.
            send(producer, StackResource.TOPICS.populations(), lowPop);
            send(producer, StackResource.TOPICS.populations(), lowPop);
            send(producer, StackResource.TOPICS.populations(), highPop);
            String badPopulation = "{\"schema\":1,\"experiment_id\":\"r1\",\"clients\":[\"a\"]}";
            producer.send(new ProducerRecord<>(StackResource.TOPICS.populations(), "r1", badPopulation)).get();
            collect(imagesOut, () -> count(i -> i.round() == 0) == 2 && count(i -> i.round() == 1) == 1 && dead.size() == 1);
            assertFalse(objects.exists(parkedKey), "the parked round is gone once rendered");

            // 3. Bad rounds go to the dead-letter topic with the reason; the service keeps serving.
            String malformed = "{\"schema\":1,\"experiment_id\":\"r1\",";
            producer.send(new ProducerRecord<>(StackResource.TOPICS.rounds(), "r1", malformed)).get();
            producer.send(new ProducerRecord<>(StackResource.TOPICS.rounds(), "r1",
                    Messages.encode(round("r1", "high_accuracy", 1, high1, false)).replace("\"schema\":1", "\"schema\":2"))).get();
            send(producer, StackResource.TOPICS.rounds(), round("r1", "high_accuracy", 2,
                    new ObjectRef(high2.bucket(), high2.key().replace("generator", "nothing"), high2.size(), high2.sha256()), true));
            send(producer, StackResource.TOPICS.rounds(), round("r1", "high_accuracy", 2,
                    new ObjectRef(high2.bucket(), high2.key(), high2.size(), low2.sha256()), true));
            send(producer, StackResource.TOPICS.rounds(), round("r1", "high_accuracy", 2, critic, true));
            send(producer, StackResource.TOPICS.rounds(), round("r1", "high_accuracy", 2, nanRef, true));

            // 4. The rest of training: high rounds 1, 2 (finished); low 2 (twice: drawn once), 3 (finished).
            send(producer, StackResource.TOPICS.rounds(), round("r1", "high_accuracy", 1, high1, false));
            send(producer, StackResource.TOPICS.rounds(), round("r1", "high_accuracy", 2, high2, true));
            send(producer, StackResource.TOPICS.rounds(), round("r1", "low_accuracy", 2, low2, false));
            send(producer, StackResource.TOPICS.rounds(), round("r1", "low_accuracy", 2, low2, false));
            collect(imagesOut, () -> count(i -> i.gan().equals("high_accuracy") && i.round() == 2) == 1
                    && count(i -> i.gan().equals("low_accuracy") && i.round() == 2) == 1 && dead.size() == 7);
            // As if the renderer restarted: the last round is drawn from the state in the store (GIF of 4 grids).
            service.evict("r1");
            send(producer, StackResource.TOPICS.rounds(), round("r1", "low_accuracy", 3, low3, true));
            collect(imagesOut, () -> announced.stream().anyMatch(i -> i.report() != null) && dead.size() == 7);
        }

        // ---- dead letters: each with its reason
        assertEquals(StackResource.TOPICS.populations(), Records.header(dead.get(0), "dead-letter-topic"));
        assertTrue(Records.header(dead.get(0), "dead-letter-reason").contains("gan"), Records.header(dead.get(0), "dead-letter-reason"));
        List<String> reasons = dead.subList(1, 7).stream().map(r -> Records.header(r, "dead-letter-reason")).toList();
        assertTrue(reasons.get(0).contains("malformed JSON"), reasons.get(0));
        assertTrue(reasons.get(1).contains("unknown schema version 2"), reasons.get(1));
        assertTrue(reasons.get(2).contains("no such object"), reasons.get(2));
        assertTrue(reasons.get(3).contains("checksum"), reasons.get(3));
        assertTrue(reasons.get(4).contains("missing tensor"), reasons.get(4));
        assertTrue(reasons.get(5).contains("NaN"), reasons.get(5));
        dead.subList(1, 7).forEach(r -> assertEquals(StackResource.TOPICS.rounds(), Records.header(r, "dead-letter-topic")));
        dead.forEach(r -> assertTrue(Records.header(r, "dead-letter-reason").startsWith("image-render: "), Records.header(r, "dead-letter-reason")));

        // ---- what was announced: rounds 0-3 of low (2 once despite the duplicate), 0-2 of high
        assertEquals(List.of(0, 1, 2, 3), rounds("low_accuracy"));
        assertEquals(List.of(0, 1, 2), rounds("high_accuracy"));

        // ---- the grid in the store is the core's grid, pixel for pixel; the metrics are the core's
        Drawn core = coreDraw(inverted, classifier);
        ImagesReady lowLast = announced("low_accuracy", 3);
        assertEquals(core.mean, lowLast.meanPixel(), 1e-6);
        assertEquals("INVERTED", lowLast.polarity());
        assertEquals(core.score, lowLast.classifierScore(), 1e-6);
        assertNotNull(lowLast.frechetDistance());
        assertTrue(lowLast.grid().key().endsWith("experiments/r1/files/gans/low_accuracy/images/gen_images_step_00003.png"),
                lowLast.grid().key());
        BufferedImage stored = ImageIO.read(new ByteArrayInputStream(objects.get(lowLast.grid().key(),
                lowLast.grid().size(), lowLast.grid().sha256())));
        assertEquals(6 * 28, stored.getWidth());
        assertEquals(6 * 28, stored.getHeight());
        assertRasterEquals(core.grid, stored);
        Drawn coreHigh = coreDraw(normal, classifier);
        ImagesReady highLast = announced("high_accuracy", 2);
        assertEquals(coreHigh.mean, highLast.meanPixel(), 1e-6);
        assertEquals("NORMAL", highLast.polarity());
        assertNull(highLast.report(), "the first GAN to finish has no report yet");
        Drawn coreInitial = coreDraw(initial, classifier);
        assertEquals(coreInitial.mean, announced("low_accuracy", 0).meanPixel(), 1e-6, "round 0 is the initial generator");
        assertEquals(coreInitial.mean, announced("low_accuracy", 1).meanPixel(), 1e-6, "the parked round 1");

        // ---- evaluations, GIF, privacy statement of each GAN
        String evaluations = text("r1", "gans/low_accuracy/evaluations.csv");
        assertEquals(5, evaluations.lines().count(), evaluations);
        assertTrue(evaluations.lines().skip(4).findFirst().orElseThrow().startsWith("3,"), evaluations);
        assertEquals(4, gifFrames("r1", "gans/low_accuracy/grids.gif"));
        assertEquals(3, gifFrames("r1", "gans/high_accuracy/grids.gif"));
        JsonNode privacy = Json.MAPPER.readTree(text("r1", "gans/low_accuracy/privacy.json"));
        assertEquals(3, privacy.get("rounds").asInt());
        assertFalse(privacy.get("secure_noise").asBoolean());

        // ---- the report and verdict: what the core's comparison says for these two generators
        assertNotNull(lowLast.report(), "the GAN finishing second carries the report");
        assertTrue(lowLast.report().key().endsWith("experiments/r1/files/report.html"), lowLast.report().key());
        String expectedVerdict = PopulationComparison.compare(side(core.mean), side(coreHigh.mean), core.grid,
                coreHigh.grid, tmp.resolve("cmp.png")).verdict();
        assertEquals(expectedVerdict, lowLast.verdict());
        assertTrue(lowLast.verdict().startsWith("The low-accuracy users' data is inverted"), lowLast.verdict());
        JsonNode report = Json.MAPPER.readTree(text("r1", "report.json"));
        assertEquals(expectedVerdict, report.get("verdict").asText());
        assertTrue(report.get("inversion_found").asBoolean());
        assertEquals(classifier.provenance().testAccuracy(), report.get("classifier").get("test_accuracy").asDouble(), 1e-12);
        assertEquals(0.71, report.get("measurement").get("overall_accuracy").asDouble(), 1e-12);
        assertEquals(2, report.get("populations").size());
        assertEquals("low_accuracy", report.get("populations").get(0).get("selection").asText());
        JsonNode low = report.get("gans").get("low");
        assertEquals("by_user/acc_lt0p42", low.get("population").asText());
        assertEquals(3, low.get("clients").asInt());
        assertEquals(3, low.get("truly_inverted").asInt());
        assertEquals(4, low.get("gan").get("evaluations").size());
        assertEquals(core.mean, low.get("gan").get("last").get("mean_pixel").asDouble(), 1e-6);
        String html = text("r1", "report.html");
        assertTrue(html.contains(expectedVerdict.replace("&", "&amp;")), html);
        BufferedImage picture = ImageIO.read(new ByteArrayInputStream(objects.get("experiments/r1/files/low_vs_high.png")));
        assertTrue(picture.getWidth() > 2 * 6 * 28, "side by side: " + picture.getWidth());

        // ---- an experiment without classifier nor filter files: mean pixel only, a report that says what is missing
        degradesWithoutClassifierAndFilterFiles(initial, coreInitial, tmp);

        // ---- health and metrics
        HttpResponse<String> health = Endpoints.get(ready);
        assertEquals(200, health.statusCode(), health.body());
        String prom = Endpoints.get(metrics).body();
        // r1: 4 + 3 grids, r2: 2 + 2
        assertTrue(prom.contains("fedgan_images_rendered_total 11.0"), prom);
        assertTrue(prom.contains("fedgan_render_duplicates_total 1.0"), prom);
        assertTrue(Endpoints.sample(prom, "fedgan_render_parked_total") >= 1, prom);
        assertTrue(prom.contains("fedgan_reports_total 2.0"), prom);
        assertTrue(prom.contains("fedgan_render_duration_seconds_count"), prom);
        assertEquals(3, Endpoints.sample(prom, "fedgan_dead_letters_total{reason=\"message\",service=\"image-render\"}"), prom);
        assertEquals(1, Endpoints.sample(prom, "fedgan_dead_letters_total{reason=\"missing\",service=\"image-render\"}"), prom);
        assertEquals(1, Endpoints.sample(prom, "fedgan_dead_letters_total{reason=\"corrupt\",service=\"image-render\"}"), prom);
        assertEquals(2, Endpoints.sample(prom, "fedgan_dead_letters_total{reason=\"invalid\",service=\"image-render\"}"), prom);
        assertEquals(core.mean, Endpoints.sample(prom, "fedgan_generated_mean_pixel{experiment=\"r1\",gan=\"low_accuracy\"}"), 1e-6);
        assertEquals(coreHigh.mean, Endpoints.sample(prom, "fedgan_generated_mean_pixel{experiment=\"r1\",gan=\"high_accuracy\"}"), 1e-6);
        assertEquals(core.score, Endpoints.sample(prom, "fedgan_classifier_score{experiment=\"r1\",gan=\"low_accuracy\"}"), 1e-6);
        assertTrue(prom.contains("fedgan_frechet_distance{experiment=\"r1\",gan=\"low_accuracy\"}"), prom);
        assertFalse(prom.contains("fedgan_classifier_score{experiment=\"r2\""), prom);
    }

    void degradesWithoutClassifierAndFilterFiles(NetworkWeights initial, Drawn core, Path tmp) throws Exception {
        ExperimentRequest request = new ExperimentRequest(1, "r2", "bundled:field", null, null, 0.5, 7, null, null, ONE,
                null, null, null);
        ObjectRef none = new ObjectRef("fedgan", "none", 0, "0".repeat(64));
        ObjectRef g = models.putWeights("r2.low_accuracy", "generator", 1, initial);
        try (KafkaProducer<String, String> producer = StackResource.producer(bootstrap);
             KafkaConsumer<String, String> imagesOut = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.images()))) {
            announced.clear();
            for (String gan : List.of("low_accuracy", "high_accuracy")) {
                send(producer, StackResource.TOPICS.populations(), new PopulationReady(1, "r2", gan, List.of("f0001", "f0002"),
                        none, null, request));
                send(producer, StackResource.TOPICS.rounds(), round("r2", gan, 1, g, true));
            }
            collect(imagesOut, () -> announced.stream().anyMatch(i -> "r2".equals(i.experimentId()) && i.report() != null));
        }
        List<ImagesReady> r2 = announced.stream().filter(i -> i.experimentId().equals("r2")).toList();
        assertEquals(4, r2.size(), r2.toString());
        r2.forEach(i -> {
            assertNull(i.classifierScore());
            assertNull(i.frechetDistance());
        });
        ImagesReady last = r2.stream().filter(i -> i.report() != null).findFirst().orElseThrow();
        assertEquals(core.mean, last.meanPixel(), 1e-6);
        assertEquals(PopulationComparison.compare(side(core.mean), side(core.mean), core.grid, core.grid,
                tmp.resolve("cmp2.png")).verdict(), last.verdict());
        JsonNode report = Json.MAPPER.readTree(text("r2", "report.json"));
        assertTrue(report.get("classifier").isNull());
        assertTrue(report.get("measurement").isNull());
        assertEquals(0, report.get("populations").size());
        String html = text("r2", "report.html");
        assertTrue(html.contains("Primary classifier: not available"), html);
        assertTrue(html.contains("measurement of the users' data is not available"), html);
    }

    // ------------------------------------------------------------------------------------------------ core side

    record Drawn(double mean, Double score, BufferedImage grid) {
    }

    /** What GanExperiment draws for these weights and seed, computed here step by step. */
    static Drawn coreDraw(NetworkWeights generator, PrimaryClassifier classifier) {
        INDArray noise = ClientTraining.gaussian(new SplittableRandom(SEED + 77), GanExperiment.EVAL_BATCH, PRESET.noiseDim());
        INDArray images = new GeneratorSampler(PRESET, true, DataType.FLOAT).sample(generator, noise);
        float[] pixels = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
        double score = GanMetrics.classifierScore(classifier.logits(images).castTo(DataType.DOUBLE).toDoubleMatrix());
        return new Drawn(GanMetrics.meanPixel(pixels), score, ImageGrid.grid(pixels, 6, 6));
    }

    static PopulationComparison.Side side(double mean) {
        GanExperiment.Evaluation e = new GanExperiment.Evaluation(3, mean, GanMetrics.polarityOf(mean), null, null, 0,
                "x.png");
        return new PopulationComparison.Side("s", "p", 1, 0, new GanExperiment.Result("s", 1, 3, "", 0, e, List.of(e),
                null, "", "grids.gif"));
    }

    static NetworkWeights withFinalBias(NetworkWeights w, float bias) {
        NetworkWeights c = w.copy();
        c.get("g_conv_b").assign(bias);
        return c;
    }

    static void assertRasterEquals(BufferedImage expected, BufferedImage actual) {
        Raster a = expected.getRaster();
        Raster b = actual.getRaster();
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                if (a.getSample(x, y, 0) != b.getSample(x, y, 0)) {
                    fail("pixel (" + x + ", " + y + "): core " + a.getSample(x, y, 0) + ", stored " + b.getSample(x, y, 0));
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ plumbing

    /** client_ids.csv and summary.json of a by_user population, stored as the filter stores them. */
    ObjectRef[] population(Path tmp, String dir, String selection, List<String> clients, int inverted) throws Exception {
        StringBuilder csv = new StringBuilder("client_id,inverted\n");
        clients.forEach(c -> csv.append(c).append(",False\n"));
        Files.writeString(tmp.resolve("ids.csv"), csv);
        ObjectRef ids = models.putFile("r1", "populations/by_user/" + dir + "/client_ids.csv", tmp.resolve("ids.csv"));
        Json.write(tmp.resolve("summary.json"), new PopulationSummary("by_user", selection, "rule", 0.5, null,
                clients.size(), 100L * clients.size(), inverted, selection.equals("low_accuracy") ? "inverted" : "normal",
                1.0, 0.5, 100, null));
        ObjectRef summary = models.putFile("r1", "populations/by_user/" + dir + "/summary.json", tmp.resolve("summary.json"));
        return new ObjectRef[] {ids, summary};
    }

    static final GanSettings ONE = new GanSettings("tiny", 1, 1, 1, 1, null, null, null, null, null, 5, SEED, null, null,
            null);

    /** An announcement as the aggregator makes it: ε and δ from the accountant for the population and settings. */
    static RoundCompleted round(String experiment, String gan, int round, ObjectRef generator, boolean finished) {
        boolean r2 = experiment.equals("r2");
        GanTrainingConfig c = GanSettingsMapping.config(r2 ? ONE : SETTINGS);
        int n = r2 ? 2 : gan.startsWith("low") ? LOW_CLIENTS.size() : HIGH_CLIENTS.size();
        PrivacyStatement p = PrivacyStatement.of(n, c.clientsPerRound(), c.noiseMultiplier(), c.clip(), round, null, false);
        return new RoundCompleted(1, experiment, gan, round, List.of("f0001", "f0002"), 2, 0, 0, p.epsilonImproved(),
                p.epsilonOriginal(), p.delta(), generator, generator, 0.5, finished, finished ? "round limit reached" : null);
    }

    void send(KafkaProducer<String, String> producer, String topic, Message m) throws Exception {
        producer.send(new ProducerRecord<>(topic, m.experimentId(), Messages.encode(m))).get();
    }

    void collect(KafkaConsumer<String, String> consumer, java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not done within " + WAIT + "; announced " + announced + ", dead letters "
                        + dead.stream().map(r -> Records.header(r, "dead-letter-reason")).toList());
            }
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.topic().equals(StackResource.TOPICS.images())) {
                    ImagesReady i = Messages.decode(r.value(), ImagesReady.class);
                    assertEquals(i.experimentId(), r.key(), "images are keyed by experiment");
                    announced.add(i);
                } else {
                    dead.add(r);
                }
            }
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + WAIT + ": " + what);
            }
            Thread.sleep(100);
        }
    }

    long count(Predicate<ImagesReady> p) {
        return announced.stream().filter(p).count();
    }

    List<Integer> rounds(String gan) {
        return announced.stream().filter(i -> i.experimentId().equals("r1") && i.gan().equals(gan))
                .map(ImagesReady::round).sorted().toList();
    }

    ImagesReady announced(String gan, int round) {
        return announced.stream().filter(i -> i.experimentId().equals("r1") && i.gan().equals(gan) && i.round() == round)
                .findFirst().orElseThrow(() -> new AssertionError("no ImagesReady for " + gan + " round " + round));
    }

    String text(String experiment, String relative) {
        return new String(objects.get(ExperimentLayout.file(experiment, relative)), StandardCharsets.UTF_8);
    }

    int gifFrames(String experiment, String relative) throws Exception {
        byte[] gif = objects.get(ExperimentLayout.file(experiment, relative));
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(gif))) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
            reader.setInput(in);
            return reader.getNumImages(true);
        }
    }
}

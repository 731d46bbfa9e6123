package dev.fedgan.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.classifier.ClassifierProvenance;
import dev.fedgan.core.classifier.PrimaryClassifier;
import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.PrivatePlan;
import dev.fedgan.core.measure.Misclassification;
import dev.fedgan.core.population.Device;
import dev.fedgan.core.population.PrivateSelection;
import dev.fedgan.core.privacy.DpSgdPrivacy;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.core.privacy.PrivacyEstimate;
import dev.fedgan.core.privacy.SelectionPrivacy;
import dev.fedgan.core.progress.Progress;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.service.Endpoints;
import dev.fedgan.service.Records;
import dev.fedgan.service.StackResource;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filter against a real KRaft broker and S3 server: a request trains a one-epoch classifier and announces
 * exactly the private selection the core makes in this JVM with the stored classifier and the same seeded noise
 * (members, noisy sizes N̂, δ); the released files in the bucket are those {@code fedgan debug} releases and name no
 * user, the simulation's ground truth is stored apart; bad requests are dead-lettered with the reason and the next
 * good one (with the stored classifier, no training) is processed; the same request again republishes the same
 * populations without training; a request with {@code classifier_privacy} stores a DP-SGD classifier whose
 * classifier.json states the accountant's guarantee.
 */
@QuarkusTest
@WithTestResource(StackResource.class)
class FilterServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(240);
    private static final ObjectMapper JSON = new ObjectMapper();

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

    @TempDir
    Path tmp;

    /**
     * DP-SGD for one epoch of the lab data less its held-out writers, B 256, z 1.1. Secure noise, so the weak classifier's selection
     * varies: one client per round, which any released N̂ (at least 1) admits, keeps the request from being refused.
     */
    static final String DP_SGD = "{\"schema\":1,\"experiment_id\":\"f4\",\"data\":\"bundled:field\","
            + "\"invert_probability\":0.5,\"bug_seed\":7,\"gan\":{\"clients_per_round\":1},"
            + "\"classifier_privacy\":{\"noise_multiplier\":1.1,\"batch\":256,\"epochs\":1}}";

    /** Seeded, so that this JVM draws the selection's noise the filter drew. */
    static final String FIRST = "{\"schema\":1,\"experiment_id\":\"f1\",\"data\":\"bundled:field\","
            + "\"invert_probability\":0.5,\"bug_seed\":7,\"classifier_epochs\":1,\"gan\":{\"seeded_privacy_noise\":3}}";

    @Test
    void filtersDeadLettersBadRequestsAndAnnouncesTheSamePopulationsTwice() throws Exception {
        try (KafkaProducer<String, String> producer = StackResource.producer(bootstrap);
             KafkaConsumer<String, String> populations = consumer(StackResource.TOPICS.populations());
             KafkaConsumer<String, String> dead = consumer(StackResource.TOPICS.deadLetter())) {

            // 1. Train (one epoch), measure, select: both populations announced, keyed by the experiment id.
            send(producer, "f1", FIRST);
            PopulationReady low = population(populations, "f1");
            PopulationReady high = population(populations, "f1");
            assertEquals("low_accuracy", low.gan());
            assertEquals("high_accuracy", high.gan());
            ObjectRef classifierRef = low.request().classifier();
            assertNotNull(classifierRef, "the forwarded request names the stored classifier");
            assertEquals(classifierRef, high.request().classifier());
            assertTrue(classifierRef.key().startsWith("classifiers/"), classifierRef.key());
            assertEquals(0.5, low.request().invertProbability());
            assertEquals(1, low.request().classifierEpochs());

            // The stored classifier loads and is what was asked for.
            PrimaryClassifier c = models.getClassifier(classifierRef);
            assertEquals(1, c.provenance().epochs());
            assertEquals("bundled:lab:train", c.provenance().trainData(), "the lab data less its held-out writers");
            assertEquals("bundled:lab:heldout", c.provenance().testData(), "tested on lab writers, not the users");
            assertTrue(c.provenance().testAccuracy() > 0.9, "one epoch gives > 90%: " + c.provenance());

            // The selection is exactly the core's in this JVM, for the stored classifier, the bug and the seeded noise:
            // the same members, the same released noisy sizes N̂, δ = min(1e-5, N_field^-1.1) for the 100 users.
            InversionBug bug = new InversionBug(0.5, 7);
            PrivateSelection.Field users = PrivateSelection.field(DatasetLoader.load("bundled:field",
                    WriterPartition.Options.DEFAULT));
            FederatedDataset field = users.users();
            PrivateSelection.Result local = PrivateSelection.run(c, classifierRef.uri(), users, bug,
                    PrivateSelection.Settings.of(null, null, 5, null, null, field.numWriters()),
                    PrivateSelection.noise(3L), tmp, Progress.NONE);
            assertEquals(List.copyOf(local.low().inversion().keySet()), low.clients());
            assertEquals(List.copyOf(local.high().inversion().keySet()), high.clients());
            assertEquals(local.lowSize(), low.populationSize());
            assertEquals(local.highSize(), high.populationSize());
            assertEquals(1e-5, low.delta());
            // ... and they separate the inverted writers (the workflow's point).
            assertTrue(share(low.clients(), bug) >= 0.9, "low: " + share(low.clients(), bug));
            assertTrue(share(high.clients(), bug) <= 0.1, "high: " + share(high.clients(), bug));
            assertTrue(low.clients().size() >= 15 && high.clients().size() >= 15, low.clients() + " / " + high.clients());

            // Released: the classifier and the selection, byte for byte as the core writes them here; no writer id.
            String prefix = "experiments/f1/files/";
            Set<String> stored = objects.list(prefix).stream().map(k -> k.substring(prefix.length()))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(new TreeSet<>(List.of("classifier/classifier.json", "classifier/model.zip",
                    "selection/accuracy_histogram.png", "selection/selection.json")), stored);
            assertArrayEquals(Files.readAllBytes(tmp.resolve("selection/selection.json")),
                    objects.get(prefix + "selection/selection.json"));
            byte[] png = objects.get(prefix + "selection/accuracy_histogram.png");
            assertTrue(png.length > 5_000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG of " + png.length + " bytes");
            ObjectNode selection = (ObjectNode) JSON.readTree(objects.get(prefix + "selection/selection.json"));
            assertEquals(100, selection.get("users").asInt());
            assertEquals(low.populationSize(), selection.get("populations").get(0).get("population_size").asInt());
            for (String f : stored) {
                if (!f.endsWith(".zip") && !f.endsWith(".png")) {
                    String text = new String(objects.get(prefix + f), StandardCharsets.UTF_8);
                    for (String writer : field.byId().keySet()) {
                        assertFalse(text.matches("(?s).*\\b" + writer + "\\b.*"), f + " names writer " + writer);
                    }
                }
            }

            // The simulation's ground truth, apart: the tree `fedgan debug --out DIR` writes under DIR/simulation/,
            // byte for byte, with every writer's accuracy; the message's claims point there.
            String simulation = "experiments/f1/simulation/";
            Set<String> truth = objects.list(simulation).stream().map(k -> k.substring(simulation.length()))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(relativeFiles(tmp.resolve("simulation")), truth);
            for (String f : truth) {
                // measurement.json holds the measurement's duration: compared without it below.
                if ((f.endsWith(".csv") || f.endsWith(".json") || f.endsWith(".txt")) && !f.endsWith("measurement.json")) {
                    assertArrayEquals(Files.readAllBytes(tmp.resolve("simulation").resolve(f)), objects.get(simulation + f), f);
                }
            }
            ObjectNode measured = (ObjectNode) JSON.readTree(objects.get(simulation + "measurement/measurement.json"));
            ObjectNode measuredHere = (ObjectNode) JSON.readTree(Files.readAllBytes(
                    tmp.resolve("simulation/measurement/measurement.json")));
            measured.remove("seconds");
            measuredHere.remove("seconds");
            assertEquals(measuredHere, measured);
            assertEquals(classifierRef.uri(), measured.get("classifier").asText());
            String perWriter = new String(objects.get(simulation + "measurement/per_writer_accuracy.csv"), StandardCharsets.UTF_8);
            assertTrue(field.byId().keySet().stream().allMatch(perWriter::contains), "every writer in the ground truth");
            assertTrue(truth.contains("populations/by_example/min_num_examples_5/incorrect/example_indices_map.csv"), truth.toString());
            assertEquals(simulation + "populations/" + local.low().path() + "/client_ids.csv", low.clientIds().key());
            String csv = new String(objects.get(low.clientIds().key(), low.clientIds().size(), low.clientIds().sha256()), StandardCharsets.UTF_8);
            assertEquals(low.clients().stream().map(id -> id + "," + (bug.affects(id) ? "True" : "False") + "\r\n")
                    .collect(Collectors.joining()), csv);
            assertTrue(csv.matches("(w\\d\\d,(True|False)\r\n)+"), csv);

            // 2. Bad requests go to the dead-letter topic with the reason; nothing is announced for them.
            String good2 = "{\"schema\":1,\"experiment_id\":\"f2\",\"data\":\"bundled:field\",\"invert_probability\":0.3,"
                    + "\"bug_seed\":3,\"low_threshold\":0.5,\"high_threshold\":0.95,\"classifier\":"
                    + JSON.writeValueAsString(classifierRef) + "}";
            Map<String, String> bad = new java.util.LinkedHashMap<>();
            bad.put("{\"schema\":1,\"experiment_id\":\"b1\",", "malformed JSON");
            bad.put(good2.replace("\"schema\":1", "\"schema\":2"), "unknown schema version 2");
            bad.put(good2.replace("0.3", "1.5"), "invert_probability must be in [0.0, 1.0], got 1.5");
            bad.put(good2.replace("bundled:field", "bundled:nope"), "data 'bundled:nope' cannot be read");
            bad.put(good2.replace("bundled:field", "/data/no/such/emnist.h5"), "/data/no/such/emnist.h5: no such file or"
                    + " directory");
            bad.put(good2.replace("bundled:field", "/etc/hostname"), "data '/etc/hostname' is outside the data roots"
                    + " [/usr/share/datasets, /data]");
            bad.put(good2.replace("\"low_threshold\":0.5", "\"low_threshold\":0.99"), "low_threshold 0.99 is above high_threshold 0.95");
            bad.put(good2.replace(classifierRef.key(), "classifiers/0000000000000000.zip"), "no such object");
            bad.put(FIRST.replace("\"bug_seed\":7", "\"bug_seed\":8"), "experiment f1 was already filtered for a different request");
            bad.put(good2.replace("\"bug_seed\":3", "\"bug_seed\":3,\"selection_noise_multiplier\":0.1"),
                    "selection_noise_multiplier must be in [0.5, 10000.0], got 0.1");
            bad.put(good2.replace("\"bug_seed\":3", "\"bug_seed\":3,\"private_target_epsilon\":10,\"gan\":{\"noise_multiplier\":1}"),
                    "private_target_epsilon chooses the GANs' clients_per_round and noise_multiplier");
            // Refused before the selection spends anything: 100 writers are too few at epsilon 10.
            bad.put(good2.replace("\"f2\"", "\"f6\"").replace("\"bug_seed\":3", "\"bug_seed\":3,\"private_target_epsilon\":10"),
                    "experiment f6: 100 users cannot give a verdict at epsilon <= 10");
            // Selected, then refused: nobody has accuracy < 0, so N̂ (noise around 0) is far below m = 60 (the
            // selection stays in the bucket to show why). The reason names released values only.
            bad.put(good2.replace("\"f2\"", "\"f3\"").replace("\"low_threshold\":0.5", "\"low_threshold\":0.0")
                    .replace("\"classifier\":", "\"gan\":{\"clients_per_round\":60},\"classifier\":"),
                    "experiment f3: population low_accuracy (accuracy < 0.0) has the noisy size N̂ = ");
            for (Map.Entry<String, String> b : bad.entrySet()) {
                send(producer, "bad", b.getKey());
                ConsumerRecord<String, String> dl = next(dead);
                assertEquals(b.getKey(), dl.value());
                assertTrue(Records.header(dl, "dead-letter-reason").startsWith("filter: ")
                        && Records.header(dl, "dead-letter-reason").contains(b.getValue()),
                        "expected '" + b.getValue() + "' in: " + Records.header(dl, "dead-letter-reason"));
                assertEquals(StackResource.TOPICS.experiments(), Records.header(dl, "dead-letter-topic"));
            }

            // 3. The next good request is processed: the stored classifier (no training), explicit thresholds.
            send(producer, "f2", good2);
            PopulationReady low2 = population(populations, "f2");
            PopulationReady high2 = population(populations, "f2");
            assertEquals(classifierRef, low2.request().classifier());
            InversionBug bug2 = new InversionBug(0.3, 3);
            // The members are the devices that decided so at the given thresholds (the noise only moves N̂).
            List<String> lowMembers = new java.util.ArrayList<>();
            List<String> highMembers = new java.util.ArrayList<>();
            Misclassification.measure(c, field, bug2, Progress.NONE).writers().forEach(w -> {
                switch (Device.of(w).membership(0.5, 0.95)) {
                    case LOW_ACCURACY -> lowMembers.add(w.writerId());
                    case HIGH_ACCURACY -> highMembers.add(w.writerId());
                    default -> {
                    }
                }
            });
            assertEquals(lowMembers, low2.clients());
            assertEquals(highMembers, high2.clients());
            assertTrue(low2.clientIds().key().endsWith("/simulation/populations/by_user/acc_lt0p5/client_ids.csv"),
                    low2.clientIds().key());
            assertTrue(high2.clientIds().key().endsWith("/simulation/populations/by_user/acc_gt0p95/client_ids.csv"),
                    high2.clientIds().key());

            // 3b. A private request: the forwarded GAN settings are the plan for the released sizes, which is released;
            // its adaptive clip goes towards the request's quantile.
            send(producer, "f5", good2.replace("\"f2\"", "\"f5\"").replace("\"bug_seed\":3", "\"bug_seed\":3,"
                    + "\"private_target_epsilon\":200,\"gan\":{\"rounds\":10,\"seeded_privacy_noise\":3,"
                    + "\"clip_quantile\":0.7}"));
            PopulationReady low5 = population(populations, "f5");
            PopulationReady high5 = population(populations, "f5");
            PrivatePlan plan = PrivatePlan.choose(200, 1e-5, SelectionPrivacy.of(SelectionPrivacy.DEFAULT_NOISE_MULTIPLIER),
                    Math.min(low5.populationSize(), high5.populationSize()), 10, GanPreset.PRIVATE.criticWeights());
            GanSettings planned = low5.request().gan();
            assertEquals(plan.clientsPerRound(), planned.clientsPerRound());
            assertEquals(plan.noiseMultiplier(), planned.noiseMultiplier());
            assertEquals(10, planned.rounds());
            assertEquals("private", planned.preset());
            assertEquals(PrivatePlan.BASE.generatorSteps(), planned.generatorSteps());
            assertEquals(3L, planned.seededPrivacyNoise());
            assertEquals(0.7, planned.clipQuantile());
            assertEquals(plan.adaptiveClip().learningRate(), planned.clipLearningRate());
            assertEquals(plan.adaptiveClip().countNoise(), planned.clipCountNoise());
            assertEquals(planned, high5.request().gan());
            ObjectNode releasedPlan = (ObjectNode) JSON.readTree(objects.get("experiments/f5/files/" + PrivatePlan.FILE));
            assertEquals(plan.noiseMultiplier(), releasedPlan.get("noise_multiplier").asDouble());
            assertEquals(0.7, releasedPlan.get("adaptive_clip").get("target_quantile").asDouble());

            // 4. The first request again: the same two messages, no second classifier trained.
            send(producer, "f1", FIRST);
            assertEquals(low, population(populations, "f1"));
            assertEquals(high, population(populations, "f1"));
            assertEquals(1, objects.list("classifiers/").size(), objects.list("classifiers/").toString());

            // 5. classifier_privacy: the classifier is trained with DP-SGD (secure noise: not a seeded run) and its
            // stored classifier.json states the guarantee the accountant gives for the q, z and steps it reports.
            send(producer, "f4", DP_SGD);
            PopulationReady low4 = population(populations, "f4");
            population(populations, "f4");
            PrimaryClassifier dp = models.getClassifier(low4.request().classifier());
            DpSgdPrivacy p = dp.provenance().privacy();
            assertNotNull(p, "the stored provenance carries the guarantee: " + dp.provenance());
            long labTrain = dp.provenance().trainExamples();
            assertEquals(6_000, labTrain + dp.provenance().testExamples(), "the bundled lab data, split");
            assertEquals(labTrain, p.examples(), "the lab data less its held-out writers");
            assertEquals(256, p.expectedBatch());
            assertEquals(256.0 / labTrain, p.q(), 1e-15);
            assertEquals(1.1, p.noiseMultiplier());
            assertEquals(1.0, p.clipNorm());
            assertEquals(PrivacyCalculator.stepsForEpochs(labTrain, 256, 1), p.steps());
            assertEquals(1e-5, p.delta());
            PrivacyEstimate expected = PrivacyCalculator.estimate(null, null, p.q(), p.noiseMultiplier(), p.steps(),
                    p.delta(), null);
            assertEquals(expected.epsilonOriginal(), p.epsilonOriginal(), 1e-9);
            assertEquals(expected.epsilonImproved(), p.epsilonImproved(), 1e-9);
            assertTrue(!p.noise().startsWith("seeded"), p.noise());
            assertEquals(ClassifierProvenance.ARCHITECTURE, dp.provenance().architecture());
            ObjectNode released = (ObjectNode) JSON.readTree(objects.get("experiments/f4/files/classifier/"
                    + PrimaryClassifier.PROVENANCE_FILE));
            assertEquals(p.epsilonOriginal(), released.get("privacy").get("epsilon_original").asDouble(), 1e-12,
                    released.toString());
            assertEquals(2, objects.list("classifiers/").size(), objects.list("classifiers/").toString());
        }

        // 6. Health and metrics.
        HttpResponse<String> health = Endpoints.get(ready);
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(health.body().contains("\"UP\"") && health.body().contains("\"nd4j\""), health.body());
        String prom = Endpoints.get(metrics).body();
        assertTrue(prom.contains("fedgan_experiments_total{outcome=\"accepted\"} 4.0"), prom);
        assertTrue(prom.contains("fedgan_experiments_total{outcome=\"rejected\"} 13.0"), prom);
        assertTrue(prom.contains("fedgan_experiments_total{outcome=\"duplicate\"} 1.0"), prom);
        assertTrue(prom.contains("fedgan_filter_duration_seconds_count 4"), prom);
        assertTrue(prom.contains("fedgan_population_size{gan=\"low_accuracy\"}"), prom);
        assertTrue(!prom.contains("fedgan_population_writers"), prom);
        assertTrue(prom.contains("fedgan_filter_progress"), prom);
    }

    /** Share of the writers that have the bug. */
    private static double share(List<String> writers, InversionBug bug) {
        return (double) writers.stream().filter(bug::affects).count() / writers.size();
    }

    private static Set<String> relativeFiles(Path dir) throws Exception {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/'))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private PopulationReady population(KafkaConsumer<String, String> consumer, String key) {
        ConsumerRecord<String, String> r = next(consumer);
        assertEquals(key, r.key(), "populations are keyed by experiment id");
        return Messages.decode(r.value(), PopulationReady.class);
    }

    private void send(KafkaProducer<String, String> producer, String key, String value) throws Exception {
        producer.send(new ProducerRecord<>(StackResource.TOPICS.experiments(), key, value)).get();
    }

    private final Records records = new Records(WAIT);

    private ConsumerRecord<String, String> next(KafkaConsumer<String, String> consumer) {
        return records.next(consumer);
    }

    private KafkaConsumer<String, String> consumer(String topic) {
        return StackResource.consumer(bootstrap, List.of(topic));
    }
}

package dev.fedgan.imagerender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.population.PopulationSummary;
import dev.fedgan.core.privacy.PrivacyStatement;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.ImagesReady;
import dev.fedgan.protocol.Message;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.service.Endpoints;
import dev.fedgan.service.Records;
import dev.fedgan.service.StackResource;
import java.io.ByteArrayInputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One experiment's traffic with the service under test: this test plays the filter and the aggregator (files and
 * generators in the store, PopulationReady and RoundCompleted on the broker) and reads what the service announces
 * and dead-letters for this experiment only, so tests of other experiments against the same stack do not interfere.
 */
final class RenderTraffic implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(90);
    /** 3 rounds, images every 2: rounds 0 (population), 1, 2 and 3 (finished) are drawn. */
    static final GanSettings SETTINGS = GanSettings.builder().preset("tiny").rounds(3).clientsPerRound(2)
            .criticSteps(1).generatorSteps(1).imagesEvery(2).seed(CoreDrawings.SEED).seededPrivacyNoise(11L)
            .build();
    /** 1 round, images every 5: rounds 0 and 1 (finished) are drawn. */
    static final GanSettings ONE = GanSettings.builder().preset("tiny").rounds(1).clientsPerRound(1)
            .criticSteps(1).generatorSteps(1).imagesEvery(5).seed(CoreDrawings.SEED).build();
    /** An object that is not there, for populations whose files do not matter. */
    static final ObjectRef NONE = new ObjectRef("fedgan", "none", 0, "0".repeat(64));

    final String experiment;
    final List<ImagesReady> announced = new ArrayList<>();
    final List<ConsumerRecord<String, String>> dead = new ArrayList<>();
    private final ModelStore models;
    private final ObjectStore objects;
    private final KafkaProducer<String, String> producer;
    private final KafkaConsumer<String, String> consumer;

    RenderTraffic(String experiment, String bootstrap, ModelStore models, ObjectStore objects) {
        this.experiment = experiment;
        this.models = models;
        this.objects = objects;
        this.producer = StackResource.producer(bootstrap);
        this.consumer = StackResource.consumer(bootstrap,
                List.of(StackResource.TOPICS.images(), StackResource.TOPICS.deadLetter()));
    }

    @Override
    public void close() {
        producer.close();
        consumer.close();
    }

    // ------------------------------------------------------------------------------------------------ sending

    void send(String topic, Message m) throws Exception {
        producer.send(new ProducerRecord<>(topic, m.experimentId(), Messages.encode(m))).get();
    }

    /** A record as is, e.g. malformed JSON, keyed by this experiment. */
    void sendRaw(String topic, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, experiment, value)).get();
    }

    /** An announcement as the aggregator makes it: ε and δ from the accountant for the population and settings. */
    RoundCompleted round(String gan, int round, ObjectRef generator, boolean finished, GanSettings settings,
            int clients) {
        GanTrainingConfig c = GanSettingsMapping.config(settings);
        PrivacyStatement p = PrivacyStatement.of(clients, c.clientsPerRound(), c.noiseMultiplier(), c.clip(), round, null,
                false);
        return RoundCompleted.builder().experimentId(experiment).gan(gan).round(round)
                .epsilon(p.epsilonImproved()).epsilonOriginal(p.epsilonOriginal()).delta(p.delta())
                .generator(generator).critic(generator).finished(finished).stoppedBecause(finished ? "round limit reached" : null).build();
    }

    /** client_ids.csv and summary.json of a by_user population, stored as the filter stores them (simulation). */
    ObjectRef[] population(Path tmp, String dir, String selection, List<String> clients, int inverted) throws Exception {
        StringBuilder csv = new StringBuilder("client_id,inverted\n");
        clients.forEach(c -> csv.append(c).append(",False\n"));
        Files.writeString(tmp.resolve("ids.csv"), csv);
        ObjectRef ids = models.putSimulationFile(experiment, "populations/by_user/" + dir + "/client_ids.csv",
                tmp.resolve("ids.csv"));
        Json.write(tmp.resolve("summary.json"), new PopulationSummary("by_user", selection, "rule", 0.5, null,
                clients.size(), 100L * clients.size(), inverted, selection.equals("low_accuracy") ? "inverted" : "normal",
                1.0, 0.5, 100, null));
        ObjectRef summary = models.putSimulationFile(experiment, "populations/by_user/" + dir + "/summary.json",
                tmp.resolve("summary.json"));
        return new ObjectRef[] {ids, summary};
    }

    // ------------------------------------------------------------------------------------------------ receiving

    /** Reads this experiment's announcements and dead letters until {@code done}, failing after {@link #WAIT}. */
    void collect(BooleanSupplier done) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not done within " + WAIT + "; announced " + announced + ", dead letters "
                        + dead.stream().map(r -> Records.header(r, "dead-letter-reason")).toList());
            }
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                if (!experiment.equals(r.key())) {
                    continue;
                }
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

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
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
        return announced.stream().filter(i -> i.gan().equals(gan)).map(ImagesReady::round).sorted().toList();
    }

    ImagesReady announced(String gan, int round) {
        return announced.stream().filter(i -> i.gan().equals(gan) && i.round() == round).findFirst()
                .orElseThrow(() -> new AssertionError("no ImagesReady for " + gan + " round " + round));
    }

    // ------------------------------------------------------------------------------------------------ the store

    String text(String relative) {
        return new String(bytes(relative), StandardCharsets.UTF_8);
    }

    byte[] bytes(String relative) {
        return objects.get(ExperimentLayout.file(experiment, relative));
    }

    int gifFrames(String relative) throws Exception {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes(relative)))) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
            reader.setInput(in);
            return reader.getNumImages(true);
        }
    }

    // ------------------------------------------------------------------------------------------------ metrics

    /** The Prometheus text of the service now. */
    static String metrics(URL metrics) throws Exception {
        return Endpoints.get(metrics).body();
    }

    /** A sample's value, 0 if the series is not exported yet (a counter never incremented with these labels). */
    static double sampleOrZero(String prom, String series) {
        return prom.lines().anyMatch(l -> l.startsWith(series + " ")) ? Endpoints.sample(prom, series) : 0;
    }
}

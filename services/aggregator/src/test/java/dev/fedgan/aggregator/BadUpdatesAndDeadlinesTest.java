package dev.fedgan.aggregator;

import static dev.fedgan.aggregator.AggregatorHarness.population;
import static dev.fedgan.aggregator.AggregatorHarness.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.modelstore.GanSettingsMapping;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.protocol.ClientUpdateReady;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.protocol.RoundTask;
import dev.fedgan.service.Endpoints;
import dev.fedgan.service.Records;
import dev.fedgan.service.StackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Updates that cannot be used, and rounds at their deadline, against a real broker and S3 server. */
@QuarkusTest
@WithTestResource(StackResource.class)
class BadUpdatesAndDeadlinesTest {

    @Inject
    AggregatorHarness stack;

    @Inject
    ModelStore models;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    /**
     * Bad updates go to the dead-letter topic with the reason, and the service goes on: malformed JSON and a delta
     * with NaN (counted as rejected: the round completes without it). An update of an unknown experiment is late, as
     * any that no share is open for, and the delta it names (another experiment's) is left alone. The
     * updates are one client's each, so the released dead-letter metric does not count them; a malformed population
     * record is counted.
     */
    @Test
    void badUpdatesAreDeadLetteredAndTheRoundGoesOn() throws Exception {
        ClientPods clients = stack.clients();
        String before = Endpoints.get(metrics).body();
        List<RoundCompleted> done = new ArrayList<>();
        List<ConsumerRecord<String, String>> dead = new ArrayList<>();
        try (KafkaProducer<String, String> producer = stack.producer();
             KafkaConsumer<String, String> consumer = stack.consumer(StackResource.TOPICS.deadLetter())) {
            producer.send(new ProducerRecord<>(StackResource.TOPICS.clientUpdates(), "x", "{not json")).get();
            producer.send(new ProducerRecord<>(StackResource.TOPICS.populations(), "x", "{not json either")).get();
            stack.send(producer, StackResource.TOPICS.populations(), population("bad", settings(1, 31L)));
            boolean[] poisoned = {false};
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (done.isEmpty() || dead.size() < 3) {
                if (System.nanoTime() > deadline) {
                    fail("rounds " + done + ", dead letters " + dead.size());
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(StackResource.TOPICS.deadLetter())) {
                        dead.add(r);
                    } else if (r.topic().equals(StackResource.TOPICS.rounds())) {
                        RoundCompleted c = Messages.decode(r.value(), RoundCompleted.class);
                        if (c.experimentId().equals("bad")) {
                            done.add(c);
                        }
                    } else {
                        RoundTask group = Messages.decode(r.value(), RoundTask.class);
                        if (!group.experimentId().equals("bad")) {
                            continue;
                        }
                        for (RoundTask task : clients.each(group)) {
                            ClientUpdateReady u = clients.run(task);
                            if (!poisoned[0]) {
                                poisoned[0] = true;
                                float[] nan = new float[Math.toIntExact(GanNetworks.criticLayout(
                                        GanSettingsMapping.config(settings(1, 31L)).preset()).length())];
                                nan[3] = Float.NaN;
                                u = ClientUpdateReady.builder().experimentId(u.experimentId()).gan(u.gan())
                                        .round(u.round()).clientId(u.clientId())
                                        .delta(models.putDelta("bad.low_accuracy", u.round(), u.clientId(), nan))
                                        .realExamples(u.realExamples()).steps(u.steps()).nonFinite(false)
                                        .loss(u.loss()).build();
                                stack.sendUpdate(producer, task, ClientUpdateReady.builder()
                                        .experimentId("nobody").gan(u.gan()).round(0).clientId("w00")
                                        .delta(u.delta()).realExamples(1).steps(1).nonFinite(false).loss(0.0)
                                        .build()); // late: no share of it is open; the delta is not its to delete
                            }
                            stack.sendUpdate(producer, task, u);
                        }
                    }
                }
            }
        }
        List<String> reasons = dead.stream().map(r -> Records.header(r, "dead-letter-reason")).toList();
        assertTrue(reasons.stream().anyMatch(r -> r.startsWith("aggregator: malformed JSON")), reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.contains("1 NaN or infinite values")), reasons.toString());
        int sampled = AggregatorHarness.samples(settings(1, 31L), 1).get(0).size();
        assertTrue(sampled >= 2, "seed 31 samples the poisoned client and others");
        RunRecord.Outcome outcome = stack.lastOutcome("bad.low_accuracy");
        assertEquals(new RunRecord.Outcome(1, sampled, sampled - 1, 1, 0), outcome);
        assertTrue(dead.stream().anyMatch(r -> r.value().equals("{not json either")
                && Records.header(r, "dead-letter-reason").startsWith("aggregator: malformed JSON")), reasons.toString());
        String prom = Endpoints.get(metrics).body();
        assertEquals(1.0, grew(before, prom, "fedgan_dead_letters_total{reason=\"message\",service=\"aggregator\"}"),
                "the malformed population only, not the malformed update: " + prom);
        assertEquals(0.0, grew(before, prom, "fedgan_dead_letters_total{reason=\"invalid\",service=\"aggregator\"}"),
                "the NaN delta is not counted: " + prom);
    }

    /** How much a series grew between two scrapes (a series not exported yet counts as 0). */
    private static double grew(String before, String after, String series) {
        return sampleOrZero(after, series) - sampleOrZero(before, series);
    }

    private static double sampleOrZero(String prom, String series) {
        return prom.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(
                l -> Double.parseDouble(l.substring(series.length() + 1).trim())).findFirst().orElse(0);
    }

    /**
     * With DP a round completes at its 2 s deadline with the one answer of the two sampled, m = 2 as denominator,
     * whatever the request's quorum (100% or 50%): it is never redrawn.
     */
    @Test
    void aDpRoundCompletesAtItsDeadlineWithWhatArrivedWhateverTheQuorum() throws Exception {
        ClientPods clients = stack.clients();
        for (double quorum : new double[] {1.0, 0.5}) {
            String id = quorum == 1.0 ? "strict" : "lenient";
            GanSettings settings = GanSettings.builder().preset("tiny").rounds(1).clientsPerRound(2)
                    .criticSteps(1).generatorSteps(1).seed(5L).seededPrivacyNoise(5L).build();
            // Poisson draws of seed 5: two clients in the first sample (and two more, were it redrawn).
            assertEquals(List.of(List.of("w02", "w03"), List.of("w01", "w05")), AggregatorHarness.samples(settings, 2));
            RoundCompleted done = null;
            int tasks = 0;
            try (KafkaProducer<String, String> producer = stack.producer();
                 KafkaConsumer<String, String> consumer = stack.consumer()) {
                stack.send(producer, StackResource.TOPICS.populations(), population(id, settings, 2, quorum));
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (done == null) {
                    if (System.nanoTime() > deadline) {
                        fail(id + ": no round completed; tasks seen " + tasks);
                    }
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        if (r.topic().equals(StackResource.TOPICS.rounds())) {
                            RoundCompleted c = Messages.decode(r.value(), RoundCompleted.class);
                            if (c.experimentId().equals(id)) {
                                done = c;
                            }
                            continue;
                        }
                        RoundTask group = Messages.decode(r.value(), RoundTask.class);
                        if (!group.experimentId().equals(id)) {
                            continue;
                        }
                        for (RoundTask task : clients.each(group)) {
                            tasks++;
                            // The second client never answers: the round completes at its deadline without it.
                            if (tasks != 2) {
                                stack.sendUpdate(producer, task, clients.run(task));
                            }
                        }
                    }
                }
            }
            RunRecord.Outcome outcome = stack.lastOutcome(id + ".low_accuracy");
            assertEquals(2, tasks, id + ": one sample, not redrawn");
            assertEquals(1, outcome.received(), id + ": completed at the deadline with what arrived");
            assertEquals(2, outcome.sampled());
            assertEquals(1, done.round());
            double expected = PrivacyCalculator.forPopulation(6, 2, 0.01, 1).epsilonImproved();
            assertEquals(expected, done.epsilon(), 1e-9 * expected, "one round accounted");
        }
    }
}

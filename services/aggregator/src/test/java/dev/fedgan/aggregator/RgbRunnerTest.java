package dev.fedgan.aggregator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.data.ColourImages;
import dev.fedgan.core.gan.rgb.DcganFederation;
import dev.fedgan.core.gan.rgb.RgbSpec;
import dev.fedgan.core.gan.rgb.UserLevelFederation;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.core.progress.Progress;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.modelstore.RgbRuns;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.RgbRequest;
import dev.fedgan.protocol.RgbRoundDone;
import dev.fedgan.protocol.RgbRoundTask;
import dev.fedgan.protocol.RgbRunTask;
import dev.fedgan.protocol.RgbUpdateReady;
import dev.fedgan.service.StackResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The aggregator as the server of an RGB DCGAN run, against a real broker and S3 server, with the test playing the
 * client-update replicas (answering each task twice, the last client first): every round's clients are added once and
 * in client order, so the run's generator is the one-JVM run's (seeded sampling and noise), each round is announced
 * with the clients' ε; a run redelivered once done announces its last round again and trains nothing.
 */
@QuarkusTest
@WithTestResource(value = StackResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class RgbRunnerTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ObjectStore objects;

    @Test
    void runsTheRoundsWithTheClientsTrainedElsewhere() throws Exception {
        RgbSpec spec = new RgbSpec("shapes", 24, "even:3", 2, 2, 2, 2, 4, 1.0, 1.1, false, 2e-4, 5, true, 1, false);
        RgbRunTask task = new RgbRuns(objects).submit(new RgbRequest(Messages.SCHEMA, "rgb-a",
                Json.MAPPER.readTree(spec.toJson())), dev.fedgan.service.FairnessFixtures.NO_PATHS);
        RgbRuns replica = new RgbRuns(objects);
        List<RgbRoundDone> done = new ArrayList<>();
        try (KafkaProducer<String, String> producer = StackResource.producer(bootstrap);
             KafkaConsumer<String, String> rounds = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.rgbRounds()));
             KafkaConsumer<String, String> results = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.rgbResults()))) {
            producer.send(new ProducerRecord<>(StackResource.TOPICS.rgbRuns(), "rgb-a", Messages.encode(task))).get();
            List<RgbRoundTask> pending = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (done.size() < 2 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : rounds.poll(Duration.ofMillis(200))) {
                    RgbRoundTask t = Messages.decode(r.value(), RgbRoundTask.class);
                    if (t.experimentId().equals("rgb-a")) { // the other test's run shares the topics
                        assertEquals("rgb-a/" + t.client(), r.key());
                        pending.add(t);
                    }
                }
                if (pending.size() == 3) { // the last client's networks first: added in client order all the same
                    for (int k = 2; k >= 0; k--) {
                        RgbUpdateReady u = replica.clientRound(pending.get(k));
                        for (int copy = 0; copy < 2; copy++) { // a redelivered task answered twice: counted once
                            producer.send(new ProducerRecord<>(StackResource.TOPICS.rgbUpdates(), "rgb-a",
                                    Messages.encode(u))).get();
                        }
                    }
                    pending.clear();
                }
                for (ConsumerRecord<String, String> r : results.poll(Duration.ofMillis(10))) {
                    RgbRoundDone d = Messages.decode(r.value(), RgbRoundDone.class);
                    if (d.experimentId().equals("rgb-a")) {
                        done.add(d);
                    }
                }
            }
            assertEquals(2, done.size(), "two rounds announced within 3 minutes");
            assertEquals(List.of(1, 2), done.stream().map(RgbRoundDone::round).toList());

            ColourImages images = spec.clientImages();
            DcganFederation fed = new DcganFederation(images, spec.options(), spec.delta(DcganFederation.sizes(images)));
            fed.round(Progress.NONE);
            fed.round(Progress.NONE);
            float[] stored = new ModelStore(objects).getDelta(done.get(1).generator(),
                    Math.toIntExact(fed.generator().numParams()));
            assertArrayEquals(fed.generator().params().toFloatVector(), stored);
            double epsilon = PrivacyCalculator.forSamplingRate(4.0 / 8, 1.1, 4, 1e-5).epsilonOriginal();
            assertEquals(epsilon, done.get(1).epsilon(), 1e-12 * epsilon, "each client: 2 rounds of 2 steps, q 4/8");
            assertEquals(1e-5, done.get(1).delta());
            assertTrue(objects.list(ExperimentLayout.rgbRuns("rgb-a")).isEmpty(), "the clients' networks deleted");

            // Redelivered once done: the last round announced again, no round trained again.
            producer.send(new ProducerRecord<>(StackResource.TOPICS.rgbRuns(), "rgb-a", Messages.encode(task))).get();
            RgbRoundDone again = null;
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (again == null && System.nanoTime() < until) {
                for (ConsumerRecord<String, String> r : results.poll(Duration.ofMillis(200))) {
                    RgbRoundDone d = Messages.decode(r.value(), RgbRoundDone.class);
                    again = d.experimentId().equals("rgb-a") ? d : again;
                }
            }
            assertEquals(done.get(1), again);
            for (ConsumerRecord<String, String> r : rounds.poll(Duration.ofSeconds(1))) {
                assertTrue(!Messages.decode(r.value(), RgbRoundTask.class).experimentId().equals("rgb-a"),
                        "no round task for a finished run");
            }
        }
    }
    /**
     * At user level the aggregator sends tasks to the round's draw only (the one-JVM run's seeded draws), waits for
     * those alone, and its generator and ε are the one-JVM run's.
     */
    @Test
    void aUserLevelRunAsksOnlyTheDrawnClients() throws Exception {
        RgbSpec spec = new RgbSpec("shapes", 32, "even:4", 2, 2, 2, 1, 4, 0.5, 1.1, false, 2e-4, 5, true, 1, false)
                .atUserLevel(2, 1);
        ColourImages images = spec.clientImages();
        UserLevelFederation fed = new UserLevelFederation(images, spec.userOptions(),
                spec.delta(DcganFederation.sizes(images)));
        List<List<Integer>> draws = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            fed.round(Progress.NONE);
            draws.add(java.util.Arrays.stream(fed.included()).boxed().toList());
        }
        RgbRunTask task = new RgbRuns(objects).submit(new RgbRequest(Messages.SCHEMA, "rgb-u",
                Json.MAPPER.readTree(spec.toJson())), dev.fedgan.service.FairnessFixtures.NO_PATHS);
        RgbRuns replica = new RgbRuns(objects);
        List<RgbRoundDone> done = new ArrayList<>();
        List<List<Integer>> asked = new ArrayList<>();
        try (KafkaProducer<String, String> producer = StackResource.producer(bootstrap);
             KafkaConsumer<String, String> rounds = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.rgbRounds()));
             KafkaConsumer<String, String> results = StackResource.consumer(bootstrap,
                     List.of(StackResource.TOPICS.rgbResults()))) {
            producer.send(new ProducerRecord<>(StackResource.TOPICS.rgbRuns(), "rgb-u", Messages.encode(task))).get();
            List<RgbRoundTask> pending = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (done.size() < 2 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : rounds.poll(Duration.ofMillis(200))) {
                    RgbRoundTask t = Messages.decode(r.value(), RgbRoundTask.class);
                    if (t.experimentId().equals("rgb-u")) {
                        pending.add(t);
                    }
                }
                int round = asked.size() + 1; // the next round to answer
                List<RgbRoundTask> its = pending.stream().filter(t -> t.round() == round).toList();
                if (round <= 2 && its.size() == draws.get(round - 1).size()) {
                    asked.add(its.stream().map(RgbRoundTask::client).toList());
                    for (int i = its.size() - 1; i >= 0; i--) { // answered last first
                        producer.send(new ProducerRecord<>(StackResource.TOPICS.rgbUpdates(), "rgb-u",
                                Messages.encode(replica.clientRound(its.get(i))))).get();
                    }
                    pending.removeAll(its);
                }
                for (ConsumerRecord<String, String> r : results.poll(Duration.ofMillis(10))) {
                    RgbRoundDone d = Messages.decode(r.value(), RgbRoundDone.class);
                    if (d.experimentId().equals("rgb-u")) {
                        done.add(d);
                    }
                }
            }
            assertEquals(2, done.size(), "two rounds announced within 3 minutes; draws " + draws + ", asked " + asked
                    + ", pending " + pending.stream().map(t -> t.round() + "/" + t.client()).toList());
            assertEquals(draws, asked, "tasks for the drawn clients only");
            float[] stored = new ModelStore(objects).getDelta(done.get(1).generator(),
                    Math.toIntExact(fed.generator().numParams()));
            assertArrayEquals(fed.generator().params().toFloatVector(), stored);
            double epsilon = PrivacyCalculator.forPopulation(4, 2, 1.1, 2, 1e-5).epsilonOriginal();
            assertEquals(epsilon, done.get(1).epsilon(), 1e-12 * epsilon, "user level: 2 rounds, q = 2/4");
            assertEquals(null, done.get(1).smallestClient());
        }
    }
}

package dev.fedgan.aggregator;

import static dev.fedgan.aggregator.AggregatorHarness.population;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.protocol.RoundTask;
import dev.fedgan.service.StackResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * A crash between a round's checkpoint and its run record, against a real broker and S3 server: the round's noised
 * weights are stored but never announced, and the resumed run redoes the round with new noise. Only one noised
 * version of the round may remain: the first is deleted before the resumed run goes on.
 */
@QuarkusTest
@WithTestResource(StackResource.class)
class UnreleasedRoundTest {

    private static final String EXPERIMENT = "unreleased";
    private static final String NAMESPACE = EXPERIMENT + ".low_accuracy";

    @Inject
    AggregatorHarness stack;

    @Inject
    AggregatorService service;

    @Inject
    RoundDriver driver;

    @Inject
    ObjectStore objects;

    @Inject
    MeterRegistry registry;

    @Test
    void aRoundStoredButNeverRecordedIsDeletedBeforeTheResumedRunGoesOn() throws Exception {
        // The privacy noise is not seeded, as in production: the redone round 2 is a second, different noised version.
        // m = 5 of 6 (q = 5/6): a redone round that sampled nobody (chance (1/6)^6) would complete inside the resume,
        // before the check that round 2 is gone; at m = 2 that was one run in eleven.
        GanSettings settings = GanSettings.builder().preset("tiny").rounds(3).clientsPerRound(5).criticSteps(2)
                .generatorSteps(1).seed(5L).build();
        List<String> orphans = new CopyOnWriteArrayList<>();
        AtomicBoolean crashed = new AtomicBoolean();
        driver.beforeRecord = run -> {
            if (run.namespace.equals(NAMESPACE) && run.training.round() == 2 && crashed.compareAndSet(false, true)) {
                orphans.addAll(roundState(2));
                throw new IllegalStateException("crash injected between round 2's checkpoint and its run record");
            }
        };
        double deletedBefore = deletedCounter();
        List<RoundCompleted> announced = new ArrayList<>();
        ClientPods clients = stack.clients();
        try (KafkaProducer<String, String> producer = stack.producer();
             KafkaConsumer<String, String> consumer = stack.consumer()) {
            stack.send(producer, StackResource.TOPICS.populations(), population(EXPERIMENT, settings));
            boolean resumed = false;
            long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
            while (announced.isEmpty() || !announced.get(announced.size() - 1).finished()) {
                if (System.nanoTime() > deadline) {
                    fail("rounds not completed in time: " + announced);
                }
                if (crashed.get() && !resumed) {
                    resumed = true;
                    service.forgetAll();     // the process dies (waits for the crashed round to let go of its run)
                    service.resumeRunning(); // a new process starts: the run resumes from round 1's record
                    assertResumedWithoutRound2(orphans, deletedBefore);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(StackResource.TOPICS.rounds())) {
                        RoundCompleted c = Messages.decode(r.value(), RoundCompleted.class);
                        if (c.experimentId().equals(EXPERIMENT)) {
                            announced.add(c);
                        }
                    } else {
                        RoundTask group = Messages.decode(r.value(), RoundTask.class);
                        if (group.experimentId().equals(EXPERIMENT)) {
                            for (RoundTask task : clients.each(group)) {
                                stack.sendUpdate(producer, task, clients.run(task));
                            }
                        }
                    }
                }
            }
        } finally {
            driver.beforeRecord = run -> {
            };
        }
        assertTrue(crashed.get(), "the crash was injected");
        assertEquals(List.of(1, 1, 2, 3), announced.stream().map(RoundCompleted::round).toList(),
                "round 1 announced again after the restart, round 2 released once");
        double expected = PrivacyCalculator.forPopulation(6, 5, 0.01, 3).epsilonImproved();
        assertEquals(expected, announced.get(3).epsilon(), 1e-9 * expected, "three rounds accounted, not four");
        for (String orphan : orphans) {
            assertFalse(objects.exists(orphan), "the unannounced round 2 stays deleted: " + orphan);
        }
        for (RoundCompleted c : announced) {
            assertTrue(objects.exists(c.generator().key()) && objects.exists(c.critic().key()),
                    "the weights announced for round " + c.round() + " are stored");
        }
        Map<String, List<Integer>> rounds = new TreeMap<>();
        for (String key : objects.list(ExperimentLayout.experiment(NAMESPACE))) {
            int round = ExperimentLayout.roundStateRound(NAMESPACE, key);
            if (round >= 0) {
                String kind = key.substring(ExperimentLayout.experiment(NAMESPACE).length(), key.lastIndexOf('/'));
                rounds.computeIfAbsent(kind, k -> new ArrayList<>()).add(round);
            }
        }
        List<Integer> once = List.of(0, 1, 2, 3);
        assertEquals(Map.of("checkpoints", once, "critic", once, "generator", once), rounds,
                "one stored version of every round's weights and checkpoint");
        assertEquals(List.of("1", "2", "3"), roundsCsvRounds());
    }

    /** Right after the resume, before the redone round: round 2's objects and rounds.csv row are gone. */
    private void assertResumedWithoutRound2(List<String> orphans, double deletedBefore) {
        assertEquals(3, orphans.size(), "round 2's generator, critic and checkpoint were stored: " + orphans);
        assertEquals(List.of(), roundState(2), "nothing of the unannounced round 2 is left");
        assertEquals(3, deletedCounter() - deletedBefore, 1e-9, "fedgan_unreleased_objects_deleted_total");
        assertEquals(1, roundState(1).stream().filter(k -> k.contains("/checkpoints/")).count(),
                "the recorded round 1 stays");
        assertEquals(List.of("1"), roundsCsvRounds(), "rounds.csv loses round 2's row");
    }

    /** The keys of the run's weights and checkpoints of {@code round}. */
    private List<String> roundState(int round) {
        return objects.list(ExperimentLayout.experiment(NAMESPACE)).stream()
                .filter(k -> ExperimentLayout.roundStateRound(NAMESPACE, k) == round).toList();
    }

    private List<String> roundsCsvRounds() {
        String csv = new String(objects.get(ExperimentLayout.file(EXPERIMENT, "gans/low_accuracy/rounds.csv")),
                StandardCharsets.UTF_8);
        return csv.lines().skip(1).map(l -> l.substring(0, l.indexOf(','))).toList();
    }

    private double deletedCounter() {
        return registry.get("fedgan.unreleased.objects.deleted").counter().count();
    }
}

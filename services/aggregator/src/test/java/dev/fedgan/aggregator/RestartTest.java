package dev.fedgan.aggregator;

import static dev.fedgan.aggregator.AggregatorHarness.population;
import static dev.fedgan.aggregator.AggregatorHarness.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.gan.GanRunFiles;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.GanSettings;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.service.StackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/** A restart of the aggregator in the middle of a run, against a real broker and S3 server. */
@QuarkusTest
@WithTestResource(StackResource.class)
class RestartTest {

    @Inject
    AggregatorHarness stack;

    @Inject
    AggregatorService service;

    @Inject
    ObjectStore objects;

    /**
     * The aggregator loses its memory in the middle of round 2 (the tasks are out, no update is in) and resumes from
     * the object store: round 1 is announced again (the same message), round 2 is redrawn and the run ends exactly as
     * the uninterrupted one-JVM run, so no round was lost or applied twice.
     */
    @Test
    void aRestartedAggregatorResumesFromItsLastCheckpoint() throws Exception {
        ClientPods clients = stack.clients();
        GanSettings settings = settings(3, 21L);
        List<RoundCompleted> announced = new ArrayList<>();
        Map<String, List<RoundCompleted>> completed = Map.of("restart", announced);
        try (KafkaProducer<String, String> producer = stack.producer();
             KafkaConsumer<String, String> consumer = stack.consumer()) {
            stack.send(producer, StackResource.TOPICS.populations(), population("restart", settings));
            boolean[] crashed = {false};
            stack.play(consumer, completed, task -> {
                if (task.round() == 1 && !crashed[0]) {
                    crashed[0] = true;
                    service.forgetAll();     // the process dies: everything in memory is gone
                    service.resumeRunning(); // a new process starts
                }
                stack.sendUpdate(producer, task, clients.run(task));
            });
        }
        assertEquals(List.of(1, 1, 2, 3), announced.stream().map(RoundCompleted::round).toList());
        assertEquals(announced.get(0), announced.get(1), "the last round before the restart is announced again");
        stack.assertSameAsOneJvmRun(announced.get(3), settings, 3);
        double expected = PrivacyCalculator.forPopulation(6, 2, 0.01, 3).epsilonImproved();
        assertEquals(expected, announced.get(3).epsilon(), 1e-9 * expected, "three rounds accounted, not four");
        // The per-round log the report links to: one row per round, as fedgan debug writes it.
        String csv = new String(objects.get("experiments/restart/files/gans/low_accuracy/rounds.csv"), StandardCharsets.UTF_8);
        assertTrue(csv.startsWith(GanRunFiles.ROUNDS_CSV_HEADER), csv);
        assertEquals(List.of("1", "2", "3"), csv.lines().skip(1).map(l -> l.substring(0, l.indexOf(','))).toList(), csv);
        stack.awaitNoDeltas("restart.low_accuracy"); // the lost round's late answers too
    }
}

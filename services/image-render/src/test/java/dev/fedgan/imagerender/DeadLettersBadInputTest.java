package dev.fedgan.imagerender;

import static dev.fedgan.imagerender.CoreDrawings.PRESET;
import static dev.fedgan.imagerender.CoreDrawings.SEED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.NetworkWeights;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.service.Endpoints;
import dev.fedgan.service.Records;
import dev.fedgan.service.StackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Experiment r3: a message that cannot be rendered goes to the dead-letter topic with its reason and is counted by
 * reason, and the service goes on serving the next record.
 */
@QuarkusTest
@WithTestResource(StackResource.class)
class DeadLettersBadInputTest {

    static final String ID = "r3";
    static final List<String> CLIENTS = List.of("f0003", "f0004", "f0005", "f0006");

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

    @Test
    void badPopulationsAndRoundsAreDeadLetteredWithTheirReasonAndTheServiceKeepsServing() throws Exception {
        NetworkWeights initial = GanNetworks.initialGenerator(PRESET, SEED);
        ObjectRef high1 = models.putWeights("r3.high_accuracy", "generator", 1, initial);
        ObjectRef high2 = models.putWeights("r3.high_accuracy", "generator", 2, CoreDrawings.withFinalBias(initial, -3f));
        // a critic's weights stored as the round's generator: the right place, the wrong tensors
        ObjectRef critic = models.putWeights("r3.high_accuracy", "generator", 2, GanNetworks.initialCritic(PRESET, SEED + 1));
        NetworkWeights nan = initial.copy();
        nan.get("g_dense1_W").putScalar(0, Float.NaN);
        ObjectRef nanRef = models.putWeights("r3.high_accuracy", "generator", 2, nan);
        ExperimentRequest request = ExperimentRequest.builder().experimentId(ID).data("bundled:field")
                .invertProbability(0.5).bugSeed(7).gan(RenderTraffic.SETTINGS).build();
        PopulationReady population = new PopulationReady(1, ID, "high_accuracy", CLIENTS, CLIENTS.size(), 1e-5,
                RenderTraffic.NONE, null, request);
        String before = RenderTraffic.metrics(metrics);
        String rounds = StackResource.TOPICS.rounds();
        try (RenderTraffic t = new RenderTraffic(ID, bootstrap, models, objects)) {
            t.send(StackResource.TOPICS.populations(), population);
            t.sendRaw(StackResource.TOPICS.populations(), "{\"schema\":1,\"experiment_id\":\"r3\",\"clients\":[\"a\"]}");
            t.collect(() -> t.count(i -> i.round() == 0) == 1 && t.dead.size() == 1);

            t.sendRaw(rounds, "{\"schema\":1,\"experiment_id\":\"r3\",");
            t.sendRaw(rounds, Messages.encode(round(t, 1, high1, false)).replace("\"schema\":1", "\"schema\":2"));
            t.send(rounds, round(t, 2, new ObjectRef(high2.bucket(), high2.key().replace(".zip", "0.zip"),
                    high2.size(), high2.sha256()), true));
            t.send(rounds, round(t, 2, new ObjectRef(high2.bucket(), high2.key(), high2.size(), high1.sha256()), true));
            t.send(rounds, round(t, 2, critic, true));
            t.send(rounds, round(t, 2, nanRef, true));
            // the next record is served
            t.send(rounds, round(t, 1, high1, false));
            t.collect(() -> t.count(i -> i.round() == 1) == 1 && t.dead.size() == 7);

            List<String> reasons = t.dead.stream().map(r -> Records.header(r, "dead-letter-reason")).toList();
            assertEquals(StackResource.TOPICS.populations(), Records.header(t.dead.get(0), "dead-letter-topic"));
            assertTrue(reasons.get(0).contains("gan"), reasons.get(0));
            assertTrue(reasons.get(1).contains("malformed JSON"), reasons.get(1));
            assertTrue(reasons.get(2).contains("unknown schema version 2"), reasons.get(2));
            assertTrue(reasons.get(3).contains("no such object"), reasons.get(3));
            assertTrue(reasons.get(4).contains("checksum"), reasons.get(4));
            assertTrue(reasons.get(5).contains("missing tensor"), reasons.get(5));
            assertTrue(reasons.get(6).contains("NaN"), reasons.get(6));
            t.dead.subList(1, 7).forEach(r -> assertEquals(rounds, Records.header(r, "dead-letter-topic")));
            reasons.forEach(r -> assertTrue(r.startsWith("image-render: "), r));
            assertEquals(List.of(0, 1), t.rounds("high_accuracy"), "the bad rounds left the state untouched");
        }

        HttpResponse<String> health = Endpoints.get(ready);
        assertEquals(200, health.statusCode(), health.body());
        String after = RenderTraffic.metrics(metrics);
        assertEquals(3, grew(before, after, "message"), after);
        assertEquals(1, grew(before, after, "missing"), after);
        assertEquals(1, grew(before, after, "corrupt"), after);
        assertEquals(2, grew(before, after, "invalid"), after);
    }

    private static RoundCompleted round(RenderTraffic t, int round, ObjectRef generator, boolean finished) {
        return t.round("high_accuracy", round, generator, finished, RenderTraffic.SETTINGS, CLIENTS.size());
    }

    private static double grew(String before, String after, String reason) {
        String series = "fedgan_dead_letters_total{reason=\"" + reason + "\",service=\"image-render\"}";
        return RenderTraffic.sampleOrZero(after, series) - RenderTraffic.sampleOrZero(before, series);
    }
}

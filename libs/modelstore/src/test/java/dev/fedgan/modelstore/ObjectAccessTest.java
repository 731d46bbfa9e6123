package dev.fedgan.modelstore;

import static dev.fedgan.objectstore.ObjectStore.Action.DELETE;
import static dev.fedgan.objectstore.ObjectStore.Action.LIST;
import static dev.fedgan.objectstore.ObjectStore.Action.READ;
import static dev.fedgan.objectstore.ObjectStore.Action.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fedgan.objectstore.ObjectStore.Action;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each service's object-store access on the real key layout: what it needs, and the unnoised values it may not read. */
class ObjectAccessTest {

    static final String NS = ExperimentLayout.namespace("e1", "low_accuracy");
    static final String DELTA = ExperimentLayout.delta(NS, 3, "w07", "0123456789abcdef0123456789abcdef");
    static final String GENERATOR = ExperimentLayout.weights(NS, "generator", 3) + "ab12.zip";
    static final String CRITIC = ExperimentLayout.weights(NS, "critic", 3) + "ab12.zip";
    static final String USER_UPDATE = ExperimentLayout.fairnessUpdate("s1", 2, "run-a", 1, 4, "0123456789abcdef0123456789abcdef");
    static final String RGB_UPDATE = ExperimentLayout.rgbUpdate("r1", "run-b", 1, 0, "0123456789abcdef0123456789abcdef");
    static final String RGB_STATE = ExperimentLayout.rgbClientState("r1", "run-b", 1, 0);
    static final String REPORT = ExperimentLayout.file("e1", "report.html");
    static final String PARKED = ExperimentLayout.parkedRound("e1", "low_accuracy", 5);

    @Test
    void wildcardsMatchAsS3sDo() {
        assertTrue(ObjectAccess.matches("experiments/*/deltas/*", "experiments/e1.low/deltas/round-00001/w1-aa.delta"));
        assertTrue(ObjectAccess.matches("experiments/*", "experiments/"), "* matches nothing too");
        assertTrue(ObjectAccess.matches("a/?c", "a/bc"));
        assertFalse(ObjectAccess.matches("experiments/*/files/*", "experiments/files/deltas/x"));
        assertFalse(ObjectAccess.matches("experiments/*/deltas/*", "experiments/e1/files/deltas"));
        assertFalse(ObjectAccess.matches("classifiers/*", "xclassifiers/a"));
    }

    @Test
    void clientUpdateWritesDeltasAndUpdatesAndNeverReadsOne() {
        ObjectAccess c = ObjectAccess.of("client-update");
        assertTrue(c.allows(READ, GENERATOR) && c.allows(READ, CRITIC), "the round's weights");
        assertTrue(c.allows(WRITE, DELTA) && c.allows(WRITE, USER_UPDATE) && c.allows(WRITE, RGB_UPDATE));
        assertFalse(c.allows(READ, DELTA) || c.allows(READ, USER_UPDATE) || c.allows(READ, RGB_UPDATE));
        assertTrue(c.allows(READ, RGB_STATE) && c.allows(WRITE, RGB_STATE), "its client's optimiser state");
        assertTrue(c.allows(READ, ExperimentLayout.rgbClientImages("r1", 0)), "its client's images");
        assertFalse(c.allows(WRITE, GENERATOR) || c.allows(WRITE, REPORT) || c.allows(DELETE, DELTA));
        assertFalse(c.allows(LIST, ExperimentLayout.deltas(NS)));
    }

    @Test
    void imageRenderReadsWhatItDrawsAndNoClientValue() {
        ObjectAccess r = ObjectAccess.of("image-render");
        assertTrue(r.allows(READ, GENERATOR) && r.allows(WRITE, REPORT) && r.allows(READ, REPORT));
        assertFalse(r.allows(READ, CRITIC), "draws from generators only");
        for (String k : List.of(DELTA, USER_UPDATE, RGB_UPDATE, RGB_STATE)) {
            assertFalse(r.allows(READ, k), k);
        }
        assertTrue(r.allows(DELETE, PARKED) && r.allows(LIST, ExperimentLayout.parkedRounds("e1", "low_accuracy")),
                "its own queue of parked rounds");
        assertFalse(r.allows(DELETE, REPORT) || r.allows(DELETE, GENERATOR));
    }

    @Test
    void onlyTheAggregatorDeletesTheRounds() {
        for (ObjectAccess a : ObjectAccess.all()) {
            boolean deletes = a.allows(DELETE, DELTA) || a.allows(DELETE, GENERATOR) || a.allows(DELETE, USER_UPDATE);
            assertEquals(a.identity().equals("aggregator"), deletes, a.identity());
        }
        ObjectAccess f = ObjectAccess.of("filter");
        assertTrue(f.allows(WRITE, ExperimentLayout.filterRecord("e1")) && f.allows(WRITE, REPORT));
        assertFalse(f.allows(READ, DELTA) || f.allows(WRITE, DELTA) || f.allows(READ, GENERATOR));
        assertThrows(IllegalArgumentException.class, () -> ObjectAccess.of("submitter"));
    }

    @Test
    void aRowBecomesTheMinioPolicyThatSaysTheSame() {
        JsonNode p = ObjectAccess.of("image-render").minioPolicy("fedgan");
        assertEquals("2012-10-17", p.get("Version").asText());
        JsonNode get = p.get("Statement").get(0);
        assertEquals("Allow", get.get("Effect").asText());
        assertEquals("s3:GetObject", get.get("Action").get(0).asText());
        assertTrue(get.get("Resource").toString().contains("\"arn:aws:s3:::fedgan/experiments/*/generator/*\""), get.toString());
        JsonNode list = p.get("Statement").get(p.get("Statement").size() - 2);
        assertEquals("s3:ListBucket", list.get("Action").get(0).asText());
        assertEquals("arn:aws:s3:::fedgan", list.get("Resource").get(0).asText());
        assertEquals("experiments/*/render/*", list.at("/Condition/StringLike/s3:prefix").get(1).asText());
        JsonNode deny = p.get("Statement").get(p.get("Statement").size() - 1);
        assertEquals("Deny", deny.get("Effect").asText());
        assertEquals("arn:aws:s3:::fedgan/experiments/*/deltas/*", deny.get("Resource").get(0).asText());
        for (Action a : Action.values()) {
            assertTrue(ObjectAccess.of("aggregator").allows(a, DELTA), a.toString());
        }
    }
}

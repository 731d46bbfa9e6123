package dev.fedgan.clientupdate;

import java.util.Iterator;
import java.util.Set;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fedgan.core.gan.GanPreset;

/**
 * A round task for one client, schema 1 (the skeleton's message, not the final protocol):
 * {@code {"schema":1,"experiment":"e1","round":0,"client":"w00","preset":"tiny","seed":5}}.
 */
public record RoundTask(int schema, String experiment, int round, String client, GanPreset preset, long seed) {

    /** The only schema version this service reads. */
    public static final int SCHEMA = 1;

    private static final Set<String> FIELDS = Set.of("schema", "experiment", "round", "client", "preset", "seed");

    /**
     * Parses and validates a task.
     *
     * @throws BadTaskException with a reason fit for the dead-letter topic: malformed JSON, an unsupported schema
     *                          version, a missing or mistyped field, an unknown preset
     */
    public static RoundTask parse(ObjectMapper json, String text) {
        if (text == null) {
            throw new BadTaskException("empty message (null value)");
        }
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (JacksonException e) {
            throw new BadTaskException("malformed JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new BadTaskException("malformed task: expected a JSON object, got "
                    + (root == null ? "nothing" : root.getNodeType()));
        }
        JsonNode schema = root.get("schema");
        if (schema == null || !schema.isIntegralNumber()) {
            throw new BadTaskException("missing or non-integer field 'schema'");
        }
        if (schema.asInt() != SCHEMA) {
            throw new BadTaskException("unsupported schema version " + schema.asText() + " (this service reads " + SCHEMA + ")");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new BadTaskException("unknown field '" + f + "' in a schema " + SCHEMA + " task");
            }
        }
        String experiment = text(root, "experiment");
        int round = (int) integer(root, "round", 0, Integer.MAX_VALUE);
        String client = text(root, "client");
        String presetName = text(root, "preset");
        GanPreset preset;
        try {
            preset = GanPreset.named(presetName);
        } catch (IllegalArgumentException e) {
            throw new BadTaskException(e.getMessage());
        }
        long seed = integer(root, "seed", Long.MIN_VALUE, Long.MAX_VALUE);
        return new RoundTask(SCHEMA, experiment, round, client, preset, seed);
    }

    private static String text(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw new BadTaskException("missing, blank or non-string field '" + field + "'");
        }
        return n.asText();
    }

    private static long integer(JsonNode root, String field, long min, long max) {
        JsonNode n = root.get(field);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new BadTaskException("missing or non-integer field '" + field + "'");
        }
        long v = n.asLong();
        if (v < min || v > max) {
            throw new BadTaskException("field '" + field + "' out of range: " + v);
        }
        return v;
    }
}

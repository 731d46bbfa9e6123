package dev.fedgan.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * JSON encoding of the messages: snake_case fields, nulls omitted, unknown fields ignored (a newer producer may
 * add some within a schema version), the schema version checked first. Every failure is a
 * {@link MessageException} whose message is the reason a dead letter carries.
 */
public final class Messages {

    /** The schema version this build writes and reads. */
    public static final int SCHEMA = 1;
    /**
     * The Kafka header naming a record's message type on a topic that carries several ({@code client-updates}: the
     * clients' {@link ClientUpdateReady}, which carry none, and the aggregator's {@link RoundOpened} and
     * {@link RoundClosing}, which carry {@link #type}).
     */
    public static final String TYPE_HEADER = "fedgan-message";

    /** The {@link #TYPE_HEADER} value of a message type: its name in kebab case ("round-opened"). */
    public static String type(Class<? extends Message> type) {
        return type.getSimpleName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES, false);

    private Messages() {
    }

    public static String encode(Message m) {
        try {
            return MAPPER.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new MessageException("cannot encode " + m.getClass().getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Decodes and validates a message of the expected type. */
    public static <T extends Message> T decode(String json, Class<T> type) {
        if (json == null || json.isBlank()) {
            throw new MessageException("empty message, expected " + type.getSimpleName());
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new MessageException("malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (!tree.isObject()) {
            throw new MessageException("expected a JSON object for " + type.getSimpleName() + ", got " + tree.getNodeType());
        }
        JsonNode schema = tree.get("schema");
        if (schema == null || !schema.canConvertToInt()) {
            throw new MessageException("schema version is missing");
        }
        Check.schema(schema.asInt());
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new MessageException(cause.getMessage(), e);
        } catch (MismatchedInputException e) {
            throw new MessageException(wrongType(e), e);
        } catch (JsonProcessingException e) {
            throw new MessageException("invalid " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /**
     * A field of the wrong JSON type, in the message's own words: "clients must be an integer, got \"many\"", not
     * the JSON library's ("Cannot deserialize value of type `int` from String ...").
     */
    static String wrongType(MismatchedInputException e) {
        String field = field(e);
        if (e instanceof com.fasterxml.jackson.databind.exc.InvalidNullException
                || String.valueOf(e.getOriginalMessage()).startsWith("Cannot map `null`")) {
            return (field.isEmpty() ? "a required field" : field) + " is missing";
        }
        Class<?> t = e.getTargetType();
        String kind = t == null ? "of another type"
                : t == int.class || t == long.class || t == Integer.class || t == Long.class ? "an integer"
                : t == double.class || t == float.class || t == Double.class || t == Float.class ? "a number"
                : t == boolean.class || t == Boolean.class ? "true or false"
                : t == String.class ? "a string"
                : t.isArray() || java.util.Collection.class.isAssignableFrom(t) ? "a list"
                : "an object";
        String got = e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f && f.getValue() != null
                ? ", got " + (f.getValue() instanceof String s ? "\"" + s + "\"" : f.getValue()) : "";
        return (field.isEmpty() ? "the message" : field) + " must be " + kind + got;
    }

    /** The path of the field an exception is about, e.g. {@code gan.clients} or {@code points[2]}; empty if none. */
    private static String field(com.fasterxml.jackson.databind.JsonMappingException e) {
        StringBuilder field = new StringBuilder();
        for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                field.append(field.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                field.append('[').append(r.getIndex()).append(']');
            }
        }
        return field.toString();
    }

    public static <T extends Message> T decode(byte[] json, Class<T> type) {
        return decode(json == null ? null : new String(json, StandardCharsets.UTF_8), type);
    }

    /** A dead letter for {@code payload} read from {@code topic}, with the reason. */
    public static DeadLetter deadLetter(String service, String topic, int partition, long offset, String key,
            String payload, String reason) {
        String experiment = "unknown";
        try {
            JsonNode id = payload == null ? null : MAPPER.readTree(payload).get("experiment_id");
            if (id != null && id.isTextual()) {
                experiment = id.asText();
            }
        } catch (JsonProcessingException | RuntimeException ignored) {
            // unreadable payloads stay "unknown"
        }
        String cut = payload == null ? null
                : payload.length() > DeadLetter.MAX_PAYLOAD ? payload.substring(0, DeadLetter.MAX_PAYLOAD) : payload;
        return new DeadLetter(SCHEMA, experiment, service, topic, partition, offset, key, cut, reason,
                Instant.now().toString());
    }
}

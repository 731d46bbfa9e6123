package dev.fedgan.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An RGB DCGAN run submitted to run on the services ({@code rgb-requests}, keyed by the run's id, its
 * {@code experiment_id}): the filter checks it against its data, stores it and sends one {@link RgbRunTask}.
 *
 * @param run the run: its data, clients and options as {@code fedgan rgb --submit} writes them (the core's
 *            {@code RgbSpec}); the filter reads it with the core's checks
 */
public record RgbRequest(int schema, String experimentId, JsonNode run) implements Message {

    public RgbRequest {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.present("run", run);
        if (!run.isObject()) {
            throw new MessageException("run must be a JSON object, got " + run.getNodeType());
        }
    }
}

package dev.fedgan.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A fairness sweep submitted to run on the services ({@code fairness-sweeps}, keyed by the sweep's id, which is its
 * {@code experiment_id}): the filter checks it, stores it and sends one {@link FairnessPointTask} per point.
 *
 * @param sweep the sweep: its data and options as {@code fedgan fairness --submit} writes them (the core's
 *              {@code SweepSpec}); the filter reads it with the core's checks
 */
public record FairnessSweepRequest(int schema, String experimentId, JsonNode sweep) implements Message {

    public FairnessSweepRequest {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.present("sweep", sweep);
        if (!sweep.isObject()) {
            throw new MessageException("sweep must be a JSON object, got " + sweep.getNodeType());
        }
    }
}

package dev.fedgan.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fedgan.core.fairness.SweepSpec;
import dev.fedgan.core.io.Json;
import dev.fedgan.protocol.FairnessSweepRequest;
import dev.fedgan.protocol.Messages;

/** Fairness sweep requests for the services' tests (the sweeps: {@link SweepSpec#demo}). */
public final class FairnessFixtures {

    /** Data roots that admit no path: bundled data and shapes only, as the tests use. */
    public static final dev.fedgan.core.data.DataRoots NO_PATHS = dev.fedgan.core.data.DataRoots.of(java.util.List.of());


    private FairnessFixtures() {
    }

    public static FairnessSweepRequest request(String id, SweepSpec spec) {
        try {
            JsonNode sweep = Json.MAPPER.readTree(spec.toJson());
            return new FairnessSweepRequest(Messages.SCHEMA, id, sweep);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

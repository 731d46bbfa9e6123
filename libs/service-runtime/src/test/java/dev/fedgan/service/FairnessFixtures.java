package dev.fedgan.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fedgan.core.dpsgd.Activation;
import dev.fedgan.core.dpsgd.Dl4jModels;
import dev.fedgan.core.dpsgd.DpSgdTraining;
import dev.fedgan.core.fairness.FairnessSweep;
import dev.fedgan.core.fairness.MinorityGroup;
import dev.fedgan.core.fairness.SweepSpec;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.privacy.Conversion;
import dev.fedgan.protocol.FairnessSweepRequest;
import dev.fedgan.protocol.Messages;
import java.util.List;

/** A tiny fairness sweep for the services' tests: the bundled digits, the inverted images, 2 shares × 1 DP setting. */
public final class FairnessFixtures {

    private FairnessFixtures() {
    }

    /** 200 training examples at shares 1 and 0.8, DP-SGD z 1 for one epoch of batch 50, seeded; 50 test examples. */
    public static SweepSpec spec(int size) {
        DpSgdTraining.Options dp = new DpSgdTraining.Options(1.0, 1.0, null, null, Conversion.ORIGINAL, 50, 1, 0.1, 0,
                256, 1, true, false);
        return new SweepSpec("bundled:lab", null, 0.1, 50, new FairnessSweep.Options(MinorityGroup.parse("inverted"),
                List.of(1.0, 0.8), List.of(new FairnessSweep.Setting("DP-SGD z 1", dp)), size,
                Dl4jModels.Model.TUTORIAL, Activation.Function.TANH, 3, 10));
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

package dev.fedgan.core.fairness;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fedgan.core.classifier.ClassifierTraining;
import dev.fedgan.core.data.FederatedDataset;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.dpsgd.Activation;
import dev.fedgan.core.dpsgd.Dl4jModels;
import dev.fedgan.core.dpsgd.DpFedAvgTraining;
import dev.fedgan.core.dpsgd.DpSgdTraining;
import dev.fedgan.core.dpsgd.Examples;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.privacy.Conversion;

/**
 * A whole fairness sweep as one value: where its examples come from and its options. {@code fedgan fairness} runs
 * one in a JVM; submitted over Kafka it is stored once and every worker that takes one of its points loads the same
 * examples from it ({@link #examples}) and runs that point ({@link FairnessSweep#runPoint}).
 *
 * @param data         the training data (bundled digits, IDX, TFF h5 or LEAF JSON)
 * @param testData     the test data, or null: the bundled field digits for bundled training data, else
 *                     {@code testFraction} of the writers held out
 * @param testFraction the writers held out when no test data is given, in (0, 1)
 * @param testExamples measure on this many test examples drawn with the sweep's seed; 0: all
 * @param partition    how data without writer ids (IDX, bundled) is cut into synthetic writers
 * @param sweep        the sweep's options
 */
public record SweepSpec(String data, String testData, double testFraction, int testExamples,
                        WriterPartition.Options partition, FairnessSweep.Options sweep) {

    public SweepSpec {
        if (data == null || data.isBlank()) {
            throw new IllegalArgumentException("a sweep needs its training data");
        }
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("the test fraction must be in (0, 1), got " + testFraction);
        }
        if (testExamples < 0) {
            throw new IllegalArgumentException("test examples must be >= 0 (0: all), got " + testExamples);
        }
        if (sweep == null || partition == null) {
            throw new IllegalArgumentException("a sweep needs its options and its data's partition");
        }
    }

    /**
     * A small sweep for demonstrations and tests ({@code fedgan demo --fairness}): {@code size} bundled lab digits at
     * shares 1 and 0.8 with the inverted images as the minority, DP-SGD (batch 50, one epoch) and DP-FedAvg (users of
     * 10, 4 per round, 5 rounds) at z 1, measured on 100 test digits; seeded sampling and noise, since it only shows
     * the workflow (4 points).
     */
    public static SweepSpec demo(int size) {
        DpSgdTraining.Options sgd = new DpSgdTraining.Options(1.0, 1.0, null, null, Conversion.ORIGINAL, 50, 1, 0.15,
                0, 256, 1, true, false);
        DpFedAvgTraining.Options fl = new DpFedAvgTraining.Options(0.3, 1.0, null, null, Conversion.ORIGINAL, 4, 5, 1,
                10, 0.1, 1, 0.9, 1, true, false);
        return new SweepSpec("bundled:lab", null, 0.1, 100, WriterPartition.Options.DEFAULT, new FairnessSweep.Options(MinorityGroup.parse("inverted"),
                java.util.List.of(1.0, 0.8), java.util.List.of(new FairnessSweep.Setting("DP-SGD z 1", sgd),
                        FairnessSweep.Setting.federated("DP-FedAvg z 1", fl)), size, Dl4jModels.Model.TUTORIAL,
                Activation.Function.TANH, 1, 10));
    }

    /** {training, test}: the same examples wherever it runs (the split and the test draw use the sweep's seed). */
    public Examples[] examples() {
        return examples(data, testData, testFraction, testExamples, sweep.seed(), partition);
    }

    /** {training, test} as a spec of these fields and seed loads them. */
    public static Examples[] examples(String data, String testData, double testFraction, int testExamples, long seed,
                                      WriterPartition.Options partition) {
        FederatedDataset[] split = ClassifierTraining.trainAndTest(data, testData, testFraction, seed, partition);
        Examples test = Examples.of(split[1]);
        return new Examples[] {Examples.of(split[0]), testExamples == 0 ? test : test.subset(testExamples, seed)};
    }

    public String toJson() {
        return Json.toString(this);
    }

    /**
     * Reads a spec written by {@link #toJson}; the options' own checks run on the way in.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static SweepSpec fromJson(String json) {
        try {
            return Json.MAPPER.readValue(json, SweepSpec.class);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            throw new IllegalArgumentException("not a fairness sweep: " + cause.getMessage(), e);
        }
    }
}

package dev.fedgan.cli;

import dev.fedgan.modelstore.ClassifierPrivacyMapping;
import dev.fedgan.protocol.ClassifierPrivacy;
import dev.fedgan.protocol.MessageException;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * DP-SGD for the primary classifier, as a request's {@code classifier_privacy}: {@code fedgan debug} trains with
 * it ({@link ClassifierPrivacyMapping}, as the filter does) and {@code fedgan demo} sends it to the filter.
 */
final class ClassifierPrivacyOptions {

    @Option(names = "--classifier-dp",
            description = "Train the primary classifier with DP-SGD: sample-level DP for one example of the lab data "
                    + "(not a user), for as many epochs as ordinary training. Needs --classifier-noise-multiplier or "
                    + "--classifier-target-epsilon.")
    boolean enabled;

    @Option(names = "--classifier-clip", paramLabel = "S",
            description = "DP-SGD per-example gradient L2 bound. Default: " + ClassifierPrivacyMapping.DEFAULT_CLIP + ".")
    Double clip;

    @Option(names = "--classifier-noise-multiplier", paramLabel = "Z",
            description = "DP-SGD noise multiplier: N(0, (ZS)^2) on each step's sum of clipped gradients.")
    Double noiseMultiplier;

    @Option(names = "--classifier-target-epsilon", paramLabel = "EPS",
            description = "Or choose Z as the smallest that keeps the planned steps within EPS (original conversion).")
    Double targetEpsilon;

    @Option(names = "--classifier-delta", paramLabel = "DELTA", description = "delta of the classifier's guarantee. Default: "
            + "min(1e-5, n^-1.1) for the n training examples.")
    Double delta;

    @Option(names = "--classifier-dp-batch", paramLabel = "B",
            description = "DP-SGD expected batch: each example is drawn with probability B/n. Default: "
                    + ClassifierPrivacyMapping.DEFAULT_BATCH + ".")
    Integer batch;

    @Option(names = "--classifier-dp-learning-rate", paramLabel = "RATE",
            description = "DP-SGD step size. Default: " + ClassifierPrivacyMapping.DEFAULT_LEARNING_RATE + ".")
    Double learningRate;

    @Option(names = "--classifier-dp-momentum", paramLabel = "M",
            description = "DP-SGD momentum. Default: 0.")
    Double momentum;

    /** The request field each check names, as the option a user gave here. */
    private static final Map<String, String> OPTIONS = Map.of(
            "classifier_privacy.clip", "--classifier-clip",
            "classifier_privacy.noise_multiplier", "--classifier-noise-multiplier",
            "classifier_privacy.target_epsilon", "--classifier-target-epsilon",
            "classifier_privacy.delta", "--classifier-delta",
            "classifier_privacy.batch", "--classifier-dp-batch",
            "classifier_privacy.learning_rate", "--classifier-dp-learning-rate",
            "classifier_privacy.momentum", "--classifier-dp-momentum");

    /**
     * The request's {@code classifier_privacy}, or null without {@code --classifier-dp}; the epochs are the
     * command's classifier epochs ({@code classifier_epochs}).
     *
     * @throws IllegalArgumentException naming the option that is missing, out of range, or given without the flag
     */
    ClassifierPrivacy settings() {
        if (!enabled) {
            for (Object v : new Object[] {clip, noiseMultiplier, targetEpsilon, delta, batch, learningRate, momentum}) {
                if (v != null) {
                    throw new IllegalArgumentException("the --classifier-* DP-SGD options need --classifier-dp");
                }
            }
            return null;
        }
        if ((noiseMultiplier == null) == (targetEpsilon == null)) {
            throw new IllegalArgumentException("--classifier-dp needs either --classifier-noise-multiplier or "
                    + "--classifier-target-epsilon, not " + (noiseMultiplier == null ? "neither" : "both"));
        }
        try {
            return new ClassifierPrivacy(clip, noiseMultiplier, targetEpsilon, delta, batch, null, learningRate,
                    momentum);
        } catch (MessageException e) {
            String m = e.getMessage();
            for (Map.Entry<String, String> o : OPTIONS.entrySet()) {
                if (m.startsWith(o.getKey() + " ")) {
                    m = o.getValue() + m.substring(o.getKey().length());
                }
            }
            throw new IllegalArgumentException(m, e);
        }
    }
}

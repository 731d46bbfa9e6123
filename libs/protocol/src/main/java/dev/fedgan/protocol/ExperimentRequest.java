package dev.fedgan.protocol;

/**
 * Starts an experiment: the whole debugging workflow of {@code fedgan debug}, run by the services.
 *
 * @param schema              {@link Messages#SCHEMA}
 * @param experimentId        unique id chosen by the requester (letters, digits, '.', '_', '-')
 * @param data                the users' data: {@code bundled:field} or a path/URI the filter can read
 * @param trainData           the classifier's training data when it must be trained (default {@code bundled:lab})
 * @param classifier          a stored classifier to use instead of training one (null: train)
 * @param invertProbability   chance a writer has the bug (the simulated scenario; 0 for real data)
 * @param bugSeed             seed of who has the bug
 * @param lowThreshold        by_user low-accuracy threshold (null: the measured 25th percentile)
 * @param highThreshold       by_user high-accuracy threshold (null: the measured 75th percentile)
 * @param gan                 GAN and privacy settings (null: all defaults)
 * @param roundDeadlineSeconds how long the aggregator waits for a round's updates (null: 600)
 * @param quorum              fraction of m that must arrive by the deadline for the round to count (null: 0.8)
 * @param classifierEpochs    epochs when the filter trains the classifier (null: 5, as {@code fedgan debug})
 */
public record ExperimentRequest(int schema, String experimentId, String data, String trainData, ObjectRef classifier,
        double invertProbability, long bugSeed, Double lowThreshold, Double highThreshold, GanSettings gan,
        Integer roundDeadlineSeconds, Double quorum, Integer classifierEpochs) implements Message {

    public ExperimentRequest {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.text("data", data);
        Check.range("invert_probability", invertProbability, 0, 1);
        if (lowThreshold != null) {
            Check.range("low_threshold", lowThreshold, 0, 1);
        }
        if (highThreshold != null) {
            Check.range("high_threshold", highThreshold, 0, 1);
        }
        if (roundDeadlineSeconds != null) {
            Check.range("round_deadline_seconds", roundDeadlineSeconds, 1, 86_400);
        }
        if (quorum != null) {
            Check.range("quorum", quorum, 0.01, 1);
        }
        if (classifierEpochs != null) {
            Check.range("classifier_epochs", classifierEpochs, 1, 1000);
        }
    }
}

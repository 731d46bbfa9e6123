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
 * @param lowThreshold        by_user low-accuracy threshold (null: chosen from the private selection's noisy
 *                            histogram, about its 25th percentile)
 * @param highThreshold       by_user high-accuracy threshold (null: chosen from the noisy histogram, about its 75th
 *                            percentile)
 * @param gan                 GAN and privacy settings (null: all defaults)
 * @param roundDeadlineSeconds how long the aggregator waits for a round's updates (null: 600)
 * @param quorum              fraction of m that must arrive by the deadline for the round to count (null: 0.8)
 * @param classifierEpochs    epochs when the filter trains the classifier (null: 5, as {@code fedgan debug})
 * @param selectionNoiseMultiplier the private selection's noise multiplier z_sel: N(0, z_sel²) on every count it
 *                            releases (null: 5, as {@code fedgan debug --selection-noise})
 * @param classifierPrivacy   train the classifier with DP-SGD (sample-level DP for one example of the lab data)
 *                            when the filter trains it (null: ordinary training, no guarantee)
 * @param privateTargetEpsilon the experiment's total ε to plan for, as {@code fedgan debug --private}: the filter
 *                            chooses the selection's noise (unless given), refuses a data set too small for a
 *                            verdict, and after the selection sets both GANs' clients per round, noise multiplier and
 *                            rounds from the populations' released sizes (null: the request's GAN settings as given)
 */
public record ExperimentRequest(int schema, String experimentId, String data, String trainData, ObjectRef classifier,
        double invertProbability, long bugSeed, Double lowThreshold, Double highThreshold, GanSettings gan,
        Integer roundDeadlineSeconds, Double quorum, Integer classifierEpochs, Double selectionNoiseMultiplier,
        ClassifierPrivacy classifierPrivacy, Double privateTargetEpsilon) implements Message {

    /** The range of {@code selection_noise_multiplier} (the core's {@code SelectionPrivacy} accepts the same). */
    public static final double MIN_SELECTION_NOISE = 0.5;
    public static final double MAX_SELECTION_NOISE = 10_000;

    /** The classifier's training data when a request names none: the shipped lab digits, which no user holds. */
    public static final String DEFAULT_TRAIN_DATA = "bundled:lab";

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
        if (selectionNoiseMultiplier != null) {
            Check.range("selection_noise_multiplier", selectionNoiseMultiplier, MIN_SELECTION_NOISE, MAX_SELECTION_NOISE);
        }
        if (privateTargetEpsilon != null) {
            Check.range("private_target_epsilon", privateTargetEpsilon, 0.01, 1e6);
        }
    }

    /**
     * The lab data: what the classifier is trained on when the filter trains it, and the real images of the
     * released Fréchet classifier distance (never the users' data).
     */
    public String trainDataOrDefault() {
        return trainData != null ? trainData : DEFAULT_TRAIN_DATA;
    }

    /**
     * A builder with schema {@link Messages#SCHEMA}, the other fields unset: null, and 0 for the numbers a
     * request must carry ({@code invertProbability}, {@code bugSeed}), as a JSON request without them decodes.
     * {@code experimentId} and {@code data} are required: {@link Builder#build()} fails without them.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this message's values, to derive one that differs in a few of them. */
    public Builder toBuilder() {
        return new Builder()
                .schema(schema)
                .experimentId(experimentId)
                .data(data)
                .trainData(trainData)
                .classifier(classifier)
                .invertProbability(invertProbability)
                .bugSeed(bugSeed)
                .lowThreshold(lowThreshold)
                .highThreshold(highThreshold)
                .gan(gan)
                .roundDeadlineSeconds(roundDeadlineSeconds)
                .quorum(quorum)
                .classifierEpochs(classifierEpochs)
                .selectionNoiseMultiplier(selectionNoiseMultiplier)
                .classifierPrivacy(classifierPrivacy)
                .privateTargetEpsilon(privateTargetEpsilon);
    }

    /**
     * Sets the fields of {@link ExperimentRequest} by name: its 16 positional parameters are mostly optional
     * (null), and a row of nulls is easy to misplace. A setter only stores its value; {@link #build()} calls the
     * record's constructor, which stays the one place of validation, so the JSON shape and the checks are the
     * record's. Not thread-safe; reusable.
     */
    public static final class Builder {

        private int schema = Messages.SCHEMA;
        private String experimentId;
        private String data;
        private String trainData;
        private ObjectRef classifier;
        private double invertProbability;
        private long bugSeed;
        private Double lowThreshold;
        private Double highThreshold;
        private GanSettings gan;
        private Integer roundDeadlineSeconds;
        private Double quorum;
        private Integer classifierEpochs;
        private Double selectionNoiseMultiplier;
        private ClassifierPrivacy classifierPrivacy;
        private Double privateTargetEpsilon;

        private Builder() {
        }

        /** The schema version; {@link Messages#SCHEMA} unless set. */
        public Builder schema(int schema) {
            this.schema = schema;
            return this;
        }

        /** Unique id chosen by the requester (letters, digits, '.', '_', '-'); required. */
        public Builder experimentId(String experimentId) {
            this.experimentId = experimentId;
            return this;
        }

        /** The users' data: {@code bundled:field} or a path/URI the filter can read; required. */
        public Builder data(String data) {
            this.data = data;
            return this;
        }

        /** The classifier's training data when it must be trained (null: {@code bundled:lab}). */
        public Builder trainData(String trainData) {
            this.trainData = trainData;
            return this;
        }

        /** A stored classifier to use instead of training one (null: train). */
        public Builder classifier(ObjectRef classifier) {
            this.classifier = classifier;
            return this;
        }

        /** Chance a writer has the bug, in [0, 1] (0 for real data). */
        public Builder invertProbability(double invertProbability) {
            this.invertProbability = invertProbability;
            return this;
        }

        /** Seed of who has the bug. */
        public Builder bugSeed(long bugSeed) {
            this.bugSeed = bugSeed;
            return this;
        }

        /** by_user low-accuracy threshold (null: chosen from the noisy histogram). */
        public Builder lowThreshold(Double lowThreshold) {
            this.lowThreshold = lowThreshold;
            return this;
        }

        /** by_user high-accuracy threshold (null: chosen from the noisy histogram). */
        public Builder highThreshold(Double highThreshold) {
            this.highThreshold = highThreshold;
            return this;
        }

        /** GAN and privacy settings (null: all defaults). */
        public Builder gan(GanSettings gan) {
            this.gan = gan;
            return this;
        }

        /** How long the aggregator waits for a round's updates (null: 600). */
        public Builder roundDeadlineSeconds(Integer roundDeadlineSeconds) {
            this.roundDeadlineSeconds = roundDeadlineSeconds;
            return this;
        }

        /** Fraction of m that must arrive by the deadline (null: 0.8). */
        public Builder quorum(Double quorum) {
            this.quorum = quorum;
            return this;
        }

        /** Epochs when the filter trains the classifier (null: 5). */
        public Builder classifierEpochs(Integer classifierEpochs) {
            this.classifierEpochs = classifierEpochs;
            return this;
        }

        /** The private selection's noise multiplier z_sel, in [0.5, 10000] (null: 5). */
        public Builder selectionNoiseMultiplier(Double selectionNoiseMultiplier) {
            this.selectionNoiseMultiplier = selectionNoiseMultiplier;
            return this;
        }

        /** DP-SGD for the classifier the filter trains (null: ordinary training). */
        public Builder classifierPrivacy(ClassifierPrivacy classifierPrivacy) {
            this.classifierPrivacy = classifierPrivacy;
            return this;
        }

        /** The experiment's total ε to plan the GANs for (null: the GAN settings as given). */
        public Builder privateTargetEpsilon(Double privateTargetEpsilon) {
            this.privateTargetEpsilon = privateTargetEpsilon;
            return this;
        }

        /** The message; its constructor validates it (a failure is a {@link MessageException} naming the field). */
        public ExperimentRequest build() {
            return new ExperimentRequest(schema, experimentId, data, trainData, classifier, invertProbability,
                    bugSeed, lowThreshold, highThreshold, gan, roundDeadlineSeconds, quorum, classifierEpochs,
                    selectionNoiseMultiplier, classifierPrivacy, privateTargetEpsilon);
        }
    }
}

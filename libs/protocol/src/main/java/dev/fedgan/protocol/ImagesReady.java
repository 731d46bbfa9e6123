package dev.fedgan.protocol;

/**
 * The image-render service drew a round: the 6×6 grid and the metrics; on the last round also the GIF and, once
 * both GANs are done, the report, the verdict and the experiment's total ε.
 *
 * @param experimentEpsilon with the report: the whole experiment's ε (the private selection composed with both
 *                          GANs, improved conversion, at the experiment's δ); null otherwise
 */
public record ImagesReady(int schema, String experimentId, String gan, int round, ObjectRef grid, double meanPixel,
        String polarity, Double classifierScore, Double frechetDistance, ObjectRef report, String verdict,
        Double experimentEpsilon) implements Message {

    public ImagesReady {
        Check.schema(schema);
        Check.id("experiment_id", experimentId);
        Check.id("gan", gan);
        Check.present("grid", grid);
    }

    /**
     * A builder with schema {@link Messages#SCHEMA}, the other fields unset (null, 0); the ids and the grid are
     * required: {@link Builder#build()} fails without them.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this message's values, to derive one that differs in a few of them. */
    public Builder toBuilder() {
        return new Builder()
                .schema(schema)
                .experimentId(experimentId)
                .gan(gan)
                .round(round)
                .grid(grid)
                .meanPixel(meanPixel)
                .polarity(polarity)
                .classifierScore(classifierScore)
                .frechetDistance(frechetDistance)
                .report(report)
                .verdict(verdict)
                .experimentEpsilon(experimentEpsilon);
    }

    /**
     * Sets the fields of {@link ImagesReady} by name (11 positional parameters, several optional). A setter only
     * stores its value; {@link #build()} calls the record's constructor, which stays the one place of
     * validation. Not thread-safe; reusable.
     */
    public static final class Builder {

        private int schema = Messages.SCHEMA;
        private String experimentId;
        private String gan;
        private int round;
        private ObjectRef grid;
        private double meanPixel;
        private String polarity;
        private Double classifierScore;
        private Double frechetDistance;
        private ObjectRef report;
        private String verdict;
        private Double experimentEpsilon;

        private Builder() {
        }

        /** The schema version; {@link Messages#SCHEMA} unless set. */
        public Builder schema(int schema) {
            this.schema = schema;
            return this;
        }

        public Builder experimentId(String experimentId) {
            this.experimentId = experimentId;
            return this;
        }

        public Builder gan(String gan) {
            this.gan = gan;
            return this;
        }

        public Builder round(int round) {
            this.round = round;
            return this;
        }

        public Builder grid(ObjectRef grid) {
            this.grid = grid;
            return this;
        }

        public Builder meanPixel(double meanPixel) {
            this.meanPixel = meanPixel;
            return this;
        }

        public Builder polarity(String polarity) {
            this.polarity = polarity;
            return this;
        }

        public Builder classifierScore(Double classifierScore) {
            this.classifierScore = classifierScore;
            return this;
        }

        public Builder frechetDistance(Double frechetDistance) {
            this.frechetDistance = frechetDistance;
            return this;
        }

        public Builder report(ObjectRef report) {
            this.report = report;
            return this;
        }

        public Builder verdict(String verdict) {
            this.verdict = verdict;
            return this;
        }

        /** With the report: the experiment's total ε. */
        public Builder experimentEpsilon(Double experimentEpsilon) {
            this.experimentEpsilon = experimentEpsilon;
            return this;
        }

        /** The message; its constructor validates it (a failure is a {@link MessageException} naming the field). */
        public ImagesReady build() {
            return new ImagesReady(schema, experimentId, gan, round, grid, meanPixel, polarity, classifierScore,
                    frechetDistance, report, verdict, experimentEpsilon);
        }
    }
}

package dev.fedgan.core.data;

import java.util.Arrays;

/**
 * What {@code fedgan data inspect} reports about a dataset. The polarity check compares the observed mean pixel
 * with the internal convention (about -0.7 for dark-background digits): a positive mean means the data looks
 * inverted, e.g. a file whose pixel convention is the opposite of its format's.
 */
public record DatasetSummary(String name, String source, String format, String pixelConvention, int writers, long examples,
                             int classes, long[] classCounts, int smallestWriter, double medianWriter, int largestWriter,
                             double meanPixel, boolean looksInverted, String fingerprint) {

    public static DatasetSummary of(FederatedDataset d) {
        int[] sizes = d.writers().stream().mapToInt(WriterData::size).sorted().toArray();
        double median = sizes.length % 2 == 1 ? sizes[sizes.length / 2]
                : (sizes[sizes.length / 2 - 1] + sizes[sizes.length / 2]) / 2.0;
        double mean = d.meanPixel();
        return new DatasetSummary(d.name(), d.source(), d.format().description(), d.convention().description(),
                d.numWriters(), d.numExamples(), d.numClasses(), d.classCounts(), sizes[0], median,
                sizes[sizes.length - 1], mean, mean > 0, d.fingerprint());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DatasetSummary s && s.fingerprint.equals(fingerprint) && Arrays.equals(s.classCounts, classCounts);
    }

    @Override
    public int hashCode() {
        return fingerprint.hashCode();
    }
}

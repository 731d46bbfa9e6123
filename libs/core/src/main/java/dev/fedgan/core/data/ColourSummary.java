package dev.fedgan.core.data;

import java.util.Arrays;
import java.util.List;

/**
 * What {@code fedgan data inspect} says of colour images: how many, how they fall to clients, the mean of each
 * channel (in [-1, 1]) and the attributes they carry.
 *
 * @param layout folder (clients by subfolder), celeba, or generated
 */
public record ColourSummary(String name, String layout, int images, int side, int clients, int smallestClient,
                            double medianClient, int largestClient, double[] channelMeans, List<String> attributes,
                            boolean partition, String fingerprint) {

    public static ColourSummary of(ColourImages d, String layout) {
        List<String> ids = d.clientIds();
        int[] sizes = ids.stream().mapToInt(id -> d.imagesOf(id).length).sorted().toArray();
        double median = sizes.length % 2 == 1 ? sizes[sizes.length / 2]
                : (sizes[sizes.length / 2 - 1] + sizes[sizes.length / 2]) / 2.0;
        double[] means = new double[3];
        int plane = d.side() * d.side();
        for (int i = 0; i < d.size(); i++) {
            for (int c = 0; c < 3; c++) {
                double sum = 0;
                int base = i * ColourImages.values(d.side()) + c * plane;
                for (int p = 0; p < plane; p++) {
                    sum += d.pixels()[base + p];
                }
                means[c] += sum / plane / d.size();
            }
        }
        return new ColourSummary(d.name(), layout, d.size(), d.side(), ids.size(), sizes[0], median,
                sizes[sizes.length - 1], means, d.attributeNames(), d.split() != null, d.fingerprint());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ColourSummary s && s.fingerprint.equals(fingerprint) && s.layout.equals(layout)
                && Arrays.equals(s.channelMeans, channelMeans);
    }

    @Override
    public int hashCode() {
        return fingerprint.hashCode();
    }
}

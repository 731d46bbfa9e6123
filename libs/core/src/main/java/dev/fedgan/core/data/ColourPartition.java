package dev.fedgan.core.data;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Deals colour images to clients other than by folder: by the value of an attribute (CelebA's {@code Male}: the
 * clients {@code Male=1} and {@code Male=-1}), evenly at random into a given number of clients, or into clients whose
 * mix of kinds of image is skewed by a Dirichlet draw (non-i.i.d. clients, as federated benchmarks make them).
 */
public final class ColourPartition {

    private ColourPartition() {
    }

    /**
     * One client per value of {@code attribute}: {@code NAME=1} and {@code NAME=-1}.
     *
     * @throws IllegalArgumentException if the images carry no such attribute, naming those they carry
     */
    public static ColourImages byAttribute(ColourImages images, String attribute) {
        int a = images.attributeNames().indexOf(attribute);
        if (a < 0) {
            throw new IllegalArgumentException(images.name() + " has no attribute '" + attribute + "'; it has "
                    + (images.attributeNames().isEmpty() ? "none" : images.attributeNames()));
        }
        String[] clients = new String[images.size()];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = attribute + "=" + images.attributes()[i][a];
        }
        return images.withClients(clients);
    }

    /**
     * {@code count} clients of sizes differing by at most one: the images in a seeded random order dealt in turn.
     *
     * @throws IllegalArgumentException unless 1 &le; count &le; the number of images
     */
    public static ColourImages evenly(ColourImages images, int count, long seed) {
        checkCount(images, count);
        int[] order = WriterPartition.permutation(images.size(), new SplittableRandom(seed));
        String[] clients = new String[images.size()];
        for (int k = 0; k < order.length; k++) {
            clients[order[k]] = clientName(k % count, count);
        }
        return images.withClients(clients);
    }

    /**
     * {@code count} clients of sizes differing by at most one, each client's mix of kinds drawn from a symmetric
     * Dirichlet({@code alpha}): an image's kind is its combination of values of {@code attributes} (for the shapes,
     * {@code circle,red} gives four kinds). Small alpha gives clients of one or two kinds; a large alpha approaches
     * {@link #evenly}. The same partition rule as the digits' writers ({@link WriterPartition}).
     *
     * @throws IllegalArgumentException unless 1 &le; count &le; the number of images and alpha &gt; 0, or if an
     *                                  attribute is missing (naming those the images carry)
     */
    public static ColourImages dirichlet(ColourImages images, int count, double alpha, List<String> attributes,
                                         long seed) {
        checkCount(images, count);
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("the Dirichlet alpha must be > 0 and finite, got " + alpha);
        }
        if (attributes.isEmpty()) {
            throw new IllegalArgumentException("a Dirichlet partition needs at least one attribute to tell kinds apart");
        }
        int[] columns = new int[attributes.size()];
        for (int k = 0; k < columns.length; k++) {
            columns[k] = images.attributeNames().indexOf(attributes.get(k));
            if (columns[k] < 0) {
                throw new IllegalArgumentException(images.name() + " has no attribute '" + attributes.get(k)
                        + "'; it has " + (images.attributeNames().isEmpty() ? "none" : images.attributeNames()));
            }
        }
        long[] kinds = new long[images.size()];
        Map<String, Long> kindOf = new HashMap<>();
        for (int i = 0; i < kinds.length; i++) {
            StringBuilder key = new StringBuilder();
            for (int c : columns) {
                key.append(images.attributes()[i][c]).append(',');
            }
            kinds[i] = kindOf.computeIfAbsent(key.toString(), x -> (long) kindOf.size());
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int[][] members = WriterPartition.skewed(kinds, WriterPartition.sizes(images.size(), count, 0, 0, rng), alpha,
                rng);
        String[] clients = new String[images.size()];
        for (int w = 0; w < members.length; w++) {
            for (int i : members[w]) {
                clients[i] = clientName(w, count);
            }
        }
        return images.withClients(clients);
    }

    private static void checkCount(ColourImages images, int count) {
        if (count < 1 || count > images.size()) {
            throw new IllegalArgumentException("cannot deal " + images.size() + " images to " + count + " clients");
        }
    }

    /** {@code client-K}, K zero-padded to the width of the largest, so that the names sort in order. */
    private static String clientName(int k, int count) {
        return String.format("client-%0" + Integer.toString(count - 1).length() + "d", k);
    }
}

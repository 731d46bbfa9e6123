package dev.fedgan.core.data;

import java.util.SplittableRandom;

/**
 * Deals colour images to clients other than by folder: by the value of an attribute (CelebA's {@code Male}: the
 * clients {@code Male=1} and {@code Male=-1}), or evenly at random into a given number of clients.
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
        if (count < 1 || count > images.size()) {
            throw new IllegalArgumentException("cannot deal " + images.size() + " images to " + count + " clients");
        }
        int[] order = WriterPartition.permutation(images.size(), new SplittableRandom(seed));
        String[] clients = new String[images.size()];
        int digits = Integer.toString(count - 1).length();
        for (int k = 0; k < order.length; k++) {
            clients[order[k]] = String.format("client-%0" + digits + "d", k % count);
        }
        return images.withClients(clients);
    }
}

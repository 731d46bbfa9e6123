package dev.fedgan.core.data;

import java.util.Arrays;
import java.util.List;

/**
 * Square colour images for the RGB GAN: {@code side}×{@code side} RGB, channel-first ([3, side, side] each), values in
 * [-1, 1] (the generator's tanh range: 0 → -1, 255 → 1), with each image's source file and client, and per-image
 * attributes where the data has them (CelebA's 40 binary attributes, as +1 / -1).
 *
 * @param name           where the images came from
 * @param fingerprint    SHA-256 over the images' values, to tell two data sets apart
 * @param side           the images' side in pixels
 * @param pixels         every image's [3, side, side] values, image after image
 * @param files          each image's file relative to the data's root (or a generated name)
 * @param clients        each image's client (its folder, or an attribute's value, or a generated id)
 * @param attributeNames the attributes' names (empty when the data has none)
 * @param attributes     [image][attribute] as +1 / -1, or null when the data has none
 * @param split          each image's CelebA evaluation partition (0 train, 1 validation, 2 test), or null
 */
public record ColourImages(String name, String fingerprint, int side, float[] pixels, String[] files, String[] clients,
                           List<String> attributeNames, byte[][] attributes, byte[] split) {

    public ColourImages {
        if (side < 1) {
            throw new IllegalArgumentException("the image side must be >= 1, got " + side);
        }
        int n = files.length;
        if (clients.length != n || (long) pixels.length != (long) n * values(side)) {
            throw new IllegalArgumentException(name + ": " + n + " files, " + clients.length + " clients and "
                    + pixels.length + " values for images of [3, " + side + ", " + side + "]");
        }
        if ((attributes != null && attributes.length != n) || (split != null && split.length != n)) {
            throw new IllegalArgumentException(name + ": attributes or partition not one per image");
        }
        attributeNames = List.copyOf(attributeNames);
    }

    /** Values per image: 3·side². */
    public static int values(int side) {
        return 3 * side * side;
    }

    public int size() {
        return files.length;
    }

    /** Image {@code i}'s [3, side, side] values (a copy). */
    public float[] image(int i) {
        int v = values(side);
        return Arrays.copyOfRange(pixels, i * v, (i + 1) * v);
    }

    /** The distinct clients, in order of first appearance. */
    public List<String> clientIds() {
        return Arrays.stream(clients).distinct().toList();
    }

    /** The indices of client {@code id}'s images. */
    public int[] imagesOf(String id) {
        return java.util.stream.IntStream.range(0, clients.length).filter(i -> clients[i].equals(id)).toArray();
    }

    /** The images at {@code indices}, in that order, with their files, clients, attributes and partition. */
    public ColourImages select(int[] indices) {
        int v = values(side);
        float[] px = new float[indices.length * v];
        String[] f = new String[indices.length];
        String[] c = new String[indices.length];
        byte[][] a = attributes == null ? null : new byte[indices.length][];
        byte[] s = split == null ? null : new byte[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            System.arraycopy(pixels, i * v, px, k * v, v);
            f[k] = files[i];
            c[k] = clients[i];
            if (a != null) {
                a[k] = attributes[i];
            }
            if (s != null) {
                s[k] = split[i];
            }
        }
        return new ColourImages(name, fingerprint, side, px, f, c, attributeNames, a, s);
    }

    /** The same images with each one's client replaced (a partition by attribute, evenly, or Dirichlet). */
    public ColourImages withClients(String[] newClients) {
        return new ColourImages(name, fingerprint, side, pixels, files, newClients, attributeNames, attributes, split);
    }
}

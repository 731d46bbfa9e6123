package dev.fedgan.core.data;

/**
 * How a source format stores intensities, and its mapping to the internal form (background -1, ink +1).
 * Reference section 8: TFF and LEAF store 1.0 = white background; MNIST-style IDX files store 0 = background.
 */
public enum PixelConvention {
    /** TFF Federated EMNIST and LEAF FEMNIST: values in [0, 1], 1.0 = background. x' = 1 - 2x. */
    INK_ON_WHITE("values in [0,1], 1.0 = background (TFF / LEAF)"),
    /** MNIST, EMNIST and Fashion-MNIST IDX files: bytes 0..255, 0 = background. x' = 2x/255 - 1. */
    INK_ON_BLACK("bytes 0..255, 0 = background (MNIST IDX)");

    private final String description;

    PixelConvention(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    /** Maps a stored value in [0, 1] (bytes already divided by 255) to the internal [-1, 1], background -1. */
    public float toInternal(float unit) {
        return this == INK_ON_WHITE ? 1f - 2f * unit : 2f * unit - 1f;
    }
}

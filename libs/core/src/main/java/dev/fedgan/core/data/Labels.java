package dev.fedgan.core.data;

/**
 * Label handling shared by all loaders. EMNIST-62 labels are 0-9 digits, 10-35 upper case, 36-61 lower case;
 * the reference classifier is case-insensitive, so lower case folds onto upper case (label - 26): 36 classes.
 */
public final class Labels {

    public static final int EMNIST_RAW_CLASSES = 62;
    public static final int DIGIT_CLASSES = 10;
    public static final int FOLDED_CLASSES = 36;

    private Labels() {
    }

    /** Folds one raw EMNIST-62 label to the 36-class space; rejects labels outside 0..61. */
    public static int fold(long raw, String source, String writer, int example) {
        if (raw < 0 || raw >= EMNIST_RAW_CLASSES) {
            throw new DatasetException(source, writer, "label " + raw + " at example " + example
                    + " is out of range 0.." + (EMNIST_RAW_CLASSES - 1));
        }
        return raw >= FOLDED_CLASSES ? (int) raw - 26 : (int) raw;
    }

    /** 10 classes when every label is a digit, else the folded 36. */
    public static int classesFor(int maxFoldedLabel) {
        return maxFoldedLabel < DIGIT_CLASSES ? DIGIT_CLASSES : FOLDED_CLASSES;
    }
}

package dev.fedgan.core.measure;

/**
 * How well the primary classifier does on one writer's data.
 *
 * @param writerId writer id
 * @param correct  per example, in the writer's stored order: classified correctly?
 * @param inverted ground truth of the bug (evaluation only)
 */
public record WriterAccuracy(String writerId, boolean[] correct, boolean inverted) {

    public int total() {
        return correct.length;
    }

    public int numCorrect() {
        int n = 0;
        for (boolean c : correct) {
            n += c ? 1 : 0;
        }
        return n;
    }

    public double accuracy() {
        return (double) numCorrect() / total();
    }

    /** 0-based indices of the examples with {@code correct[i] == which}, ascending. */
    public int[] indices(boolean which) {
        int[] out = new int[correct.length];
        int n = 0;
        for (int i = 0; i < correct.length; i++) {
            if (correct[i] == which) {
                out[n++] = i;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** The per-example mask as a string of 0/1, e.g. {@code 1101}. */
    public String mask() {
        StringBuilder sb = new StringBuilder(correct.length);
        for (boolean c : correct) {
            sb.append(c ? '1' : '0');
        }
        return sb.toString();
    }
}

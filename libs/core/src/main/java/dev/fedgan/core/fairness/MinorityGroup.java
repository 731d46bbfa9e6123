package dev.fedgan.core.fairness;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How a fairness sweep splits examples into a majority and a minority group.
 * <ul>
 *   <li>{@link RareClass}: the examples of one class are the minority (Bagdasaryan et al. 2019 cut MNIST's class 8
 *       to about 500 of 5,900 training examples); the test set's examples of that class are its test group.</li>
 *   <li>{@link InvertedImages}: examples with the inversion bug are the minority, the product's own scenario (what
 *       does private training do to the users a bug already hurts?); the test groups are the test set as it is
 *       and the test set inverted.</li>
 * </ul>
 */
public sealed interface MinorityGroup {

    /** The examples of one class. */
    record RareClass(int label) implements MinorityGroup {
        public RareClass {
            if (label < 0) {
                throw new IllegalArgumentException("the rare class must be a label >= 0, got " + label);
            }
        }

        @Override
        public String describe() {
            return "class " + label;
        }

        @Override
        public String spec() {
            return "class:" + label;
        }
    }

    /** Examples with the inversion bug (every pixel multiplied by -1). */
    record InvertedImages() implements MinorityGroup {
        @Override
        public String describe() {
            return "inverted images";
        }

        @Override
        public String spec() {
            return "inverted";
        }
    }

    /** The group in words, for reports and charts. */
    String describe();

    /** The group as {@link #parse} reads it (and as JSON carries it): {@code class:N} or {@code inverted}. */
    @JsonValue
    String spec();

    /** {@code class:N} or {@code inverted}. */
    @JsonCreator
    static MinorityGroup parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("inverted")) {
            return new InvertedImages();
        }
        if (t.startsWith("class:")) {
            try {
                return new RareClass(Integer.parseInt(t.substring("class:".length())));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the minority group 'class:N' needs a class number, got '" + text
                        + "'");
            }
        }
        throw new IllegalArgumentException("unknown minority group '" + text + "'; expected class:N (a rare class) or"
                + " inverted (examples with the inversion bug)");
    }
}

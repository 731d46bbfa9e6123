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
 *   <li>{@link ListedWriters}: the examples of the writers (users) a file lists, e.g. a population's members; the
 *       test set's examples of listed writers are its test group.</li>
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

    /**
     * The examples of the writers listed in a file: one id per line, the first comma-separated field (so a CSV of
     * members such as {@code client_ids.csv} works); blank lines, lines starting with '#' and a first line
     * {@code client_id}, {@code writer_id} or {@code id} are skipped.
     *
     * @param file the file, as given (a sweep on the services reads it on the filter's and the workers' side)
     * @param ids  the writers listed
     */
    record ListedWriters(String file, java.util.Set<String> ids) implements MinorityGroup {
        public ListedWriters {
            if (ids.isEmpty()) {
                throw new IllegalArgumentException("the writer list " + file + " names no writer");
            }
            ids = java.util.Set.copyOf(ids);
        }

        /** Reads the list. */
        static ListedWriters read(String file) {
            java.util.List<String> lines;
            try {
                lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(file));
            } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
                throw new IllegalArgumentException("cannot read the writer list " + file + ": " + e.getMessage(), e);
            }
            java.util.Set<String> ids = new java.util.LinkedHashSet<>();
            for (int i = 0; i < lines.size(); i++) {
                String id = lines.get(i).split(",", -1)[0].strip();
                if (id.isEmpty() || id.startsWith("#")
                        || (i == 0 && java.util.Set.of("client_id", "writer_id", "id").contains(id))) {
                    continue;
                }
                ids.add(id);
            }
            return new ListedWriters(file, ids);
        }

        @Override
        public String describe() {
            return "the " + ids.size() + " writers listed in " + file;
        }

        @Override
        public String spec() {
            return "writers:" + file;
        }
    }

    /** The group in words, for reports and charts. */
    String describe();

    /** The group as {@link #parse} reads it (and as JSON carries it): {@code class:N} or {@code inverted}. */
    @JsonValue
    String spec();

    /** {@code class:N}, {@code inverted} or {@code writers:FILE}. */
    @JsonCreator
    static MinorityGroup parse(String text) {
        if (text.trim().startsWith("writers:")) {
            return ListedWriters.read(text.trim().substring("writers:".length()));
        }
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
        throw new IllegalArgumentException("unknown minority group '" + text + "'; expected class:N (a rare class),"
                + " inverted (examples with the inversion bug) or writers:FILE (the writers a file lists)");
    }
}

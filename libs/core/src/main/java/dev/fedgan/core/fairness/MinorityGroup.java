package dev.fedgan.core.fairness;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
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
 *   <li>{@link WritersWhere}: the examples of the writers with a given value in a column of a table of writers;
 *       the same in the test set.</li>
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
    record ListedWriters(String file, java.util.Set<String> ids) implements OfWriters {
        public ListedWriters {
            if (ids.isEmpty()) {
                throw new IllegalArgumentException("the writer list " + file + " names no writer");
            }
            ids = java.util.Set.copyOf(ids);
        }

        /** Reads the list. */
        static ListedWriters read(String file) {
            List<String> lines = lines(file, "the writer list");
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

    /**
     * The examples of the writers whose row in a table of writers has {@code value} in column {@code column}: a CSV
     * file with a header naming its columns, a writer's id in the first column and one row per writer (a users table
     * with a region or a device model, say); fields may be double-quoted, values are compared as written (trimmed).
     *
     * @param file   the table, as given (read on the filter's and the workers' side for a sweep on the services)
     * @param column the column's name in the header
     * @param value  the value that puts a writer in the minority
     * @param ids    the writers with that value
     */
    record WritersWhere(String file, String column, String value, java.util.Set<String> ids) implements OfWriters {
        public WritersWhere {
            if (ids.isEmpty()) {
                throw new IllegalArgumentException("no writer in " + file + " has " + column + " = " + value);
            }
            ids = java.util.Set.copyOf(ids);
        }

        /** Reads the table and keeps the writers whose {@code column} holds {@code value}. */
        static WritersWhere read(String file, String column, String value) {
            List<List<String>> rows;
            try {
                rows = dev.fedgan.core.population.PopulationCsv.rows(java.nio.file.Path.of(file));
            } catch (java.nio.file.InvalidPathException e) {
                throw new IllegalArgumentException("cannot read the writer table " + file + ": " + e.getMessage(), e);
            }
            if (rows.isEmpty()) {
                throw new IllegalArgumentException("the writer table " + file + " is empty: it needs a header");
            }
            List<String> header = rows.get(0).stream().map(String::strip).toList();
            int c = header.indexOf(column);
            if (c < 1) {
                throw new IllegalArgumentException("the writer table " + file + " has no column '" + column + "'"
                        + (c == 0 ? " other than its first, the writer id" : "") + "; its columns: " + header);
            }
            java.util.Set<String> ids = new java.util.LinkedHashSet<>();
            java.util.Set<String> seen = new java.util.TreeSet<>();
            for (int i = 1; i < rows.size(); i++) {
                List<String> row = rows.get(i);
                if (row.size() != header.size()) {
                    throw new IllegalArgumentException(file + " row " + (i + 1) + ": " + row.size() + " fields, the"
                            + " header has " + header.size());
                }
                String v = row.get(c).strip();
                seen.add(v);
                if (v.equals(value)) {
                    ids.add(row.get(0).strip());
                }
            }
            if (ids.isEmpty()) {
                throw new IllegalArgumentException("no writer in " + file + " has " + column + " = '" + value
                        + "'; its values: " + seen.stream().limit(20).toList());
            }
            return new WritersWhere(file, column, value, ids);
        }

        @Override
        public String describe() {
            return "the " + ids.size() + " writers with " + column + " = " + value + " in " + file;
        }

        @Override
        public String spec() {
            return "column:" + file + ":" + column + "=" + value;
        }
    }

    /** A group of whole writers: their examples, in training and test data alike. */
    sealed interface OfWriters extends MinorityGroup permits ListedWriters, WritersWhere {
        /** The writers in the group. */
        java.util.Set<String> ids();
    }

    /** The group in words, for reports and charts. */
    String describe();

    /** The group as {@link #parse} reads it (and as JSON carries it). */
    @JsonValue
    String spec();

    /**
     * {@code class:N}, {@code inverted}, {@code writers:FILE} or {@code column:FILE:NAME=VALUE} (FILE without '=';
     * NAME up to the first '=', VALUE the rest).
     */
    @JsonCreator
    static MinorityGroup parse(String text) {
        if (text.trim().startsWith("writers:")) {
            return ListedWriters.read(text.trim().substring("writers:".length()));
        }
        if (text.trim().startsWith("column:")) {
            String rest = text.trim().substring("column:".length());
            int eq = rest.indexOf('=');
            int colon = eq < 0 ? -1 : rest.lastIndexOf(':', eq);
            if (colon <= 0 || colon + 1 == eq) {
                throw new IllegalArgumentException("the minority group 'column:FILE:NAME=VALUE' needs a file, a column"
                        + " name and a value, got '" + text + "'");
            }
            return WritersWhere.read(rest.substring(0, colon), rest.substring(colon + 1, eq), rest.substring(eq + 1));
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
                + " inverted (examples with the inversion bug), writers:FILE (the writers a file lists) or"
                + " column:FILE:NAME=VALUE (the writers whose column NAME of a CSV table of writers is VALUE)");
    }

    private static List<String> lines(String file, String what) {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of(file));
        } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }
}

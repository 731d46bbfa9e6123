package dev.fedgan.core.data;

/**
 * Bad input data: names the file and, where known, the writer and example, so the user can find it.
 * Loaders throw this instead of returning a partial dataset.
 */
public class DatasetException extends RuntimeException {

    private final String source;
    private final String writer;

    public DatasetException(String source, String writer, String problem) {
        this(source, writer, problem, null);
    }

    public DatasetException(String source, String writer, String problem, Throwable cause) {
        super(format(source, writer, problem), cause);
        this.source = source;
        this.writer = writer;
    }

    private static String format(String source, String writer, String problem) {
        StringBuilder sb = new StringBuilder();
        if (source != null) {
            sb.append(source).append(": ");
        }
        if (writer != null) {
            sb.append("writer ").append(writer).append(": ");
        }
        return sb.append(problem).toString();
    }

    /** The file (or bundled resource) the problem is in. */
    public String source() {
        return source;
    }

    /** The writer the problem is in, or null when it concerns the whole file. */
    public String writer() {
        return writer;
    }
}

package dev.fedgan.objectstore;

/**
 * A storage operation failed. The message names the object ({@code s3://bucket/key}) or the endpoint and the
 * reason; {@link #reason()} lets a caller decide what to do (a {@link Reason#CORRUPT} or {@link Reason#MISSING}
 * object will not heal by retrying, {@link Reason#UNAVAILABLE} might later).
 */
public class StorageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why an operation failed. */
    public enum Reason {
        /** No object under the key (or no such bucket). */
        MISSING,
        /** The bytes read do not have the SHA-256 they were stored (or claimed) with. */
        CORRUPT,
        /** The bytes read are not as many as were stored (or claimed). */
        WRONG_SIZE,
        /** The object carries no checksum metadata: it was not written through {@link ObjectStore}. */
        NO_CHECKSUM,
        /** The bytes are intact but not what the caller expected (wrong length, layout, format, bucket). */
        INVALID,
        /** The server refused the credentials or the operation (HTTP 401/403). */
        ACCESS_DENIED,
        /** The server could not be reached or kept failing (connection errors, HTTP 5xx) after every retry. */
        UNAVAILABLE,
        /** Anything else the server or the client reported. */
        FAILED
    }

    private final Reason reason;
    private final String key;

    /**
     * @param reason why it failed
     * @param key    the object key, or null when the failure is not about one object
     * @param message the full message (naming the object or endpoint)
     * @param cause  the underlying error, or null
     */
    public StorageException(Reason reason, String key, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.key = key;
    }

    public StorageException(Reason reason, String key, String message) {
        this(reason, key, message, null);
    }

    /** Why it failed. */
    public Reason reason() {
        return reason;
    }

    /** The object key concerned, or null. */
    public String key() {
        return key;
    }
}

package dev.fedgan.clientupdate;

/** A task this service cannot process; its message becomes the dead-letter record's reason. */
public final class BadTaskException extends RuntimeException {
    public BadTaskException(String reason) {
        super(reason, null, false, false);
    }
}

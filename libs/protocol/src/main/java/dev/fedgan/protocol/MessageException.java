package dev.fedgan.protocol;

/** A message that cannot be used: malformed JSON, an unknown schema version, a missing or absurd field. */
public final class MessageException extends RuntimeException {

    public MessageException(String reason) {
        super(reason);
    }

    public MessageException(String reason, Throwable cause) {
        super(reason, cause);
    }
}

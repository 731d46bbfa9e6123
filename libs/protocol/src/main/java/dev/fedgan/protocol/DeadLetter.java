package dev.fedgan.protocol;

/**
 * What a service could not process, and why: the reading of a record of the dead-letter topic (the services'
 * Kafka connector writes the original value there with the reason in headers; docs/messages.md).
 * {@code experimentId} is the original message's when it could be read, else {@code unknown}; {@code payload}
 * holds the first 4,096 characters of the original value.
 */
public record DeadLetter(int schema, String experimentId, String service, String topic, int partition, long offset,
        String key, String payload, String reason, String time) implements Message {

    public static final int MAX_PAYLOAD = 4096;

    public DeadLetter {
        Check.schema(schema);
        Check.text("service", service);
        Check.text("reason", reason);
    }
}

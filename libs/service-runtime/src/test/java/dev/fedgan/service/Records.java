package dev.fedgan.service;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;

/** Reading the services' output in tests: one record at a time per consumer, and record headers. */
public final class Records {

    private final Duration wait;
    private final Map<KafkaConsumer<String, String>, List<ConsumerRecord<String, String>>> buffered = new HashMap<>();

    /** @param wait how long {@link #next} waits for a record before failing the test */
    public Records(Duration wait) {
        this.wait = wait;
    }

    /** The next record on the consumer's topics, waiting up to the configured time. */
    public ConsumerRecord<String, String> next(KafkaConsumer<String, String> consumer) {
        List<ConsumerRecord<String, String>> buf = buffered.computeIfAbsent(consumer, c -> new ArrayList<>());
        long deadline = System.nanoTime() + wait.toNanos();
        while (buf.isEmpty()) {
            if (System.nanoTime() > deadline) {
                fail("no record on " + consumer.subscription() + " within " + wait);
            }
            consumer.poll(Duration.ofMillis(200)).forEach(buf::add);
        }
        return buf.remove(0);
    }

    /** A header's value as UTF-8; fails the test if the record has no such header. */
    public static String header(ConsumerRecord<String, String> r, String name) {
        Header h = r.headers().lastHeader(name);
        assertNotNull(h, "header " + name + " on " + r);
        return new String(h.value(), StandardCharsets.UTF_8);
    }
}

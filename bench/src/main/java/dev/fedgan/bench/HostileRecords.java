package dev.fedgan.bench;

import dev.fedgan.protocol.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Records an attacker or a broken producer could put on the topics the services read: not JSON, truncated JSON, a
 * JSON array, fields of the wrong type, another schema version, required fields missing, a 600 KB record, an
 * empty value, and plausible messages that point where they must not: an experiment whose data is a file outside
 * the data roots, a round of an unknown experiment whose weights are not in the bucket, a client update naming
 * another experiment's and a foreign bucket's objects. Each has its own key ({@code hostile-NNNN-KIND}), by which the
 * chaos suite finds it on the dead-letter topic.
 */
final class HostileRecords {

    static final List<String> KINDS = List.of("not-json", "truncated", "array", "wrong-types", "other-schema",
            "missing-fields", "huge", "empty", "plausible");

    private HostileRecords() {
    }

    /** The topics the services consume (every topic but images and the dead-letter topic). */
    static List<String> consumed(Topics t) {
        return List.of(t.experiments(), t.populations(), t.roundTasks(), t.clientUpdates(), t.rounds(),
                t.fairnessSweeps(), t.fairnessPoints(), t.fairnessResults(), t.fairnessRounds(), t.fairnessUpdates(),
                t.rgbRequests(), t.rgbRuns(), t.rgbRounds(), t.rgbUpdates(), t.rgbResults());
    }

    /** Sends {@code n} records round-robin over the consumed topics and kinds; returns their keys. Closes the producer. */
    static List<String> send(KafkaProducer<String, String> producer, Topics topics, int n)
            throws InterruptedException, ExecutionException {
        List<String> topicList = consumed(topics);
        List<String> keys = new ArrayList<>();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (producer) {
            for (int i = 0; i < n; i++) {
                String topic = topicList.get(i % topicList.size());
                String kind = KINDS.get((i / topicList.size()) % KINDS.size());
                String key = String.format(Locale.ROOT, "hostile-%04d-%s", i, kind);
                sent.add(producer.send(new ProducerRecord<>(topic, key, value(kind, topic, topics, i))));
                keys.add(key);
            }
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        }
        System.out.println("  sent " + n + " hostile records over " + topicList.size() + " topics");
        return keys;
    }

    static String value(String kind, String topic, Topics topics, int i) {
        String id = "hostile-" + i;
        return switch (kind) {
            case "not-json" -> "<<< not json " + i + " >>>";
            case "truncated" -> "{\"schema\":1,\"experiment_id\":\"" + id;
            case "array" -> "[1,2,3]";
            case "wrong-types" -> "{\"schema\":\"one\",\"experiment_id\":42,\"round\":\"many\",\"gan\":[]}";
            case "other-schema" -> "{\"schema\":99,\"experiment_id\":\"" + id + "\"}";
            case "missing-fields" -> "{\"schema\":1,\"experiment_id\":\"" + id + "\"}";
            case "huge" -> "{\"schema\":1,\"experiment_id\":\"" + id + "\",\"padding\":\"" + "x".repeat(600_000) + "\"}";
            case "empty" -> "";
            default -> plausible(topic, topics, id);
        };
    }

    /** A message of the topic's own type that points outside what it may touch. */
    private static String plausible(String topic, Topics t, String id) {
        String foreign = "{\"bucket\":\"someone-else\",\"key\":\"experiments/chaos/gans/low_accuracy/weights/x\","
                + "\"size\":10,\"sha256\":\"" + "0".repeat(64) + "\"}";
        String missing = "{\"bucket\":\"fedgan\",\"key\":\"experiments/" + id + "/gans/low_accuracy/generator-1\","
                + "\"size\":10,\"sha256\":\"" + "0".repeat(64) + "\"}";
        if (topic.equals(t.experiments())) {
            return "{\"schema\":1,\"experiment_id\":\"" + id + "\",\"data\":\"/etc/passwd\"}";
        }
        if (topic.equals(t.rounds())) {
            return "{\"schema\":1,\"experiment_id\":\"" + id + "\",\"gan\":\"low_accuracy\",\"round\":1,\"epsilon\":1,"
                    + "\"epsilon_original\":1,\"delta\":1e-5,\"generator\":" + missing + ",\"critic\":" + missing
                    + ",\"finished\":false}";
        }
        if (topic.equals(t.clientUpdates())) {
            return "{\"schema\":1,\"experiment_id\":\"chaos\",\"gan\":\"low_accuracy\",\"round\":1,\"client_id\":\"w1\","
                    + "\"delta\":" + foreign + "}";
        }
        return "{\"schema\":1,\"experiment_id\":\"" + id + "\",\"unknown_field\":true}";
    }
}

package dev.fedgan.cli;

import dev.fedgan.protocol.ExperimentRequest;
import dev.fedgan.protocol.MessageException;
import dev.fedgan.protocol.Messages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {"Start an experiment on the services: validate the request and produce it to the experiments "
                + "topic.",
            "",
            "The request is JSON as in docs/messages.md, e.g.",
            "  {\"schema\": 1, \"experiment_id\": \"demo-1\", \"data\": \"bundled:field\",",
            "   \"invert_probability\": 0.5, \"bug_seed\": 7}",
            "Then follow it with 'fedgan watch demo-1'.",
            ""})
final class SubmitCommand implements Callable<Integer> {

    @Parameters(paramLabel = "SPEC", description = "The request: a JSON file, or - for standard input.")
    String spec;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    Output output;

    @Override
    public Integer call() throws Exception {
        String json = spec.equals("-") ? new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                : Files.readString(Path.of(spec));
        ExperimentRequest request;
        try {
            request = Messages.decode(json, ExperimentRequest.class);
        } catch (MessageException e) {
            throw new IllegalArgumentException(spec + ": " + e.getMessage(), e);
        }
        RecordMetadata meta = produce(kafka, kafka.topics().experiments(), request.experimentId(),
                Messages.encode(request));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("experiment_id", request.experimentId());
        r.put("topic", meta.topic());
        r.put("partition", meta.partition());
        r.put("offset", meta.offset());
        output.print(r, "submitted " + request.experimentId() + " to " + meta.topic() + " (partition " + meta.partition()
                + ", offset " + meta.offset() + "); follow it with: fedgan watch " + request.experimentId());
        return 0;
    }

    /**
     * Produces one record keyed by {@code id} and waits until the broker has it.
     *
     * @throws IllegalArgumentException if Kafka cannot be reached, naming the servers
     */
    static RecordMetadata produce(KafkaOptions kafka, String topic, String id, String value) throws InterruptedException {
        Properties p = kafka.common();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "20000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            return producer.send(new ProducerRecord<>(topic, id, value)).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalArgumentException("cannot reach Kafka at " + kafka.bootstrap + " to submit " + id + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
    }
}

package dev.fedgan.clientupdate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.GanPreset;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The whole stack: Quarkus + SmallRye Kafka + ND4J (fedgan-core) against a real in-process KRaft broker. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class ClientUpdateServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ObjectMapper json;

    @TestHTTPResource("/q/health/ready")
    URL ready;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @Test
    void answersTasksDeadLettersBadOnesAndKeepsGoing() throws Exception {
        try (KafkaProducer<String, String> producer = producer();
             KafkaConsumer<String, String> updates = consumer(KafkaBrokerResource.UPDATES);
             KafkaConsumer<String, String> dead = consumer(KafkaBrokerResource.DEAD_LETTER)) {

            // 1. A good task is answered with the TINY critic's weight count and its trainable L2 norm.
            send(producer, "{\"schema\":1,\"experiment\":\"e1\",\"round\":0,\"client\":\"w00\",\"preset\":\"tiny\",\"seed\":5}");
            JsonNode first = json.readTree(next(updates).value());
            assertEquals(1, first.get("schema").asInt());
            assertEquals("e1", first.get("experiment").asText());
            assertEquals(0, first.get("round").asInt());
            assertEquals("w00", first.get("client").asText());
            assertEquals(GanPreset.TINY.criticWeights(), first.get("weights").asLong());
            assertEquals(GanNetworks.initialCritic(GanPreset.TINY, 5).trainableNorm(), first.get("norm").asDouble(), 1e-9);
            assertTrue(first.get("norm").asDouble() > 0);

            // 2. Malformed JSON and an unknown schema version go to the dead-letter topic with the reason.
            String malformed = "{\"schema\":1,\"experiment\":\"e1\",";
            send(producer, malformed);
            ConsumerRecord<String, String> dl1 = next(dead);
            assertEquals(malformed, dl1.value());
            String reason1 = header(dl1, "dead-letter-reason");
            assertTrue(reason1.contains("malformed JSON"), reason1);
            assertEquals(KafkaBrokerResource.TASKS, header(dl1, "dead-letter-topic"));

            send(producer, "{\"schema\":2,\"experiment\":\"e1\",\"round\":0,\"client\":\"w00\",\"preset\":\"tiny\",\"seed\":5}");
            String reason2 = header(next(dead), "dead-letter-reason");
            assertTrue(reason2.contains("unsupported schema version 2"), reason2);

            // 3. The service keeps consuming: the next good task is answered.
            send(producer, "{\"schema\":1,\"experiment\":\"e1\",\"round\":1,\"client\":\"w01\",\"preset\":\"tiny\",\"seed\":6}");
            JsonNode second = json.readTree(next(updates).value());
            assertEquals("w01", second.get("client").asText());
            assertEquals(1, second.get("round").asInt());
            assertEquals(GanPreset.TINY.criticWeights(), second.get("weights").asLong());
            assertTrue(Math.abs(second.get("norm").asDouble() - first.get("norm").asDouble()) > 1e-6,
                    "another seed, another critic");
        }

        // 4. Health and metrics.
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(ready.toURI()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), health.body());
        JsonNode h = json.readTree(health.body());
        assertEquals("UP", h.get("status").asText(), health.body());
        assertTrue(health.body().contains("\"nd4j\""), health.body());

        String prom = http.send(HttpRequest.newBuilder(metrics.toURI()).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(prom.contains("fedgan_client_tasks_total{outcome=\"answered\"} 2.0"), prom);
        assertTrue(prom.contains("fedgan_client_tasks_total{outcome=\"dead-letter\"} 2.0"), prom);
    }

    private void send(KafkaProducer<String, String> producer, String value) throws Exception {
        producer.send(new ProducerRecord<>(KafkaBrokerResource.TASKS, "w", value)).get();
    }

    private final Map<KafkaConsumer<String, String>, List<ConsumerRecord<String, String>>> buffered = new java.util.HashMap<>();

    /** The next record on the consumer's topic, waiting up to {@link #WAIT}. */
    private ConsumerRecord<String, String> next(KafkaConsumer<String, String> consumer) {
        List<ConsumerRecord<String, String>> buf = buffered.computeIfAbsent(consumer, c -> new ArrayList<>());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (buf.isEmpty()) {
            if (System.nanoTime() > deadline) {
                fail("no record on " + consumer.subscription() + " within " + WAIT);
            }
            consumer.poll(Duration.ofMillis(200)).forEach(buf::add);
        }
        return buf.remove(0);
    }

    private static String header(ConsumerRecord<String, String> r, String name) {
        Header h = r.headers().lastHeader(name);
        assertNotNull(h, "header " + name + " on " + r);
        return new String(h.value(), StandardCharsets.UTF_8);
    }

    private KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private KafkaConsumer<String, String> consumer(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        KafkaConsumer<String, String> c = new KafkaConsumer<>(p);
        c.subscribe(List.of(topic));
        return c;
    }
}

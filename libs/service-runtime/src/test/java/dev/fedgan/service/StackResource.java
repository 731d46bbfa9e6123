package dev.fedgan.service;

import dev.fedgan.devstack.EmbeddedKafka;
import dev.fedgan.protocol.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The real servers a service's {@code @QuarkusTest} talks to over sockets: a single-node KRaft broker with the
 * fedgan topics (one partition each, but {@link #CLIENT_UPDATE_PARTITIONS} of client-updates) and an S3 server ({@link S3Resource}), on free ports; plus plain clients for the test's side.
 * Shared with the services as this module's test jar.
 */
public class StackResource implements QuarkusTestResourceLifecycleManager {

    public static final Topics TOPICS = Topics.withPrefix(Topics.DEFAULT_PREFIX);
    /** Partitions of client-updates: several, so that the aggregator's tests sum a round in several shares. */
    public static final int CLIENT_UPDATE_PARTITIONS = 3;

    private EmbeddedKafka kafka;
    private final S3Resource s3 = new S3Resource();

    @Override
    public Map<String, String> start() {
        kafka = EmbeddedKafka.builder().start();
        TOPICS.all().forEach(t -> kafka.createTopic(t, t.equals(TOPICS.clientUpdates()) ? CLIENT_UPDATE_PARTITIONS : 1));
        Map<String, String> config = new HashMap<>(s3.start());
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        return config;
    }

    @Override
    public void stop() {
        s3.stop();
        if (kafka != null) {
            kafka.close();
        }
    }

    public static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** A consumer of {@code topics} from their beginning, in a group of its own. */
    public static KafkaConsumer<String, String> consumer(String bootstrap, List<String> topics) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        KafkaConsumer<String, String> c = new KafkaConsumer<>(p);
        c.subscribe(topics);
        return c;
    }
}

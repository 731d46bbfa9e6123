package dev.fedgan.service;

import dev.fedgan.devstack.EmbeddedKafka;
import dev.fedgan.devstack.EmbeddedS3;
import dev.fedgan.protocol.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
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
 * fedgan topics and an S3 server (fedgan-devstack), on free ports; plus plain clients for the test's side.
 * Shared with the services as this module's test jar.
 */
public class StackResource implements QuarkusTestResourceLifecycleManager {

    public static final Topics TOPICS = Topics.withPrefix(Topics.DEFAULT_PREFIX);

    private EmbeddedKafka kafka;
    private EmbeddedS3 s3;

    @Override
    public Map<String, String> start() {
        kafka = EmbeddedKafka.builder().start();
        TOPICS.all().forEach(t -> kafka.createTopic(t, 1));
        s3 = EmbeddedS3.builder().start();
        return Map.of("kafka.bootstrap.servers", kafka.bootstrapServers(), "fedgan.s3.endpoint", s3.endpoint(),
                "fedgan.s3.access-key", s3.accessKey(), "fedgan.s3.secret-key", s3.secretKey());
    }

    @Override
    public void stop() {
        if (s3 != null) {
            s3.close();
        }
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

package dev.fedgan.aggregator;

import dev.fedgan.devstack.EmbeddedKafka;
import dev.fedgan.devstack.EmbeddedS3;
import dev.fedgan.protocol.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** A real KRaft broker with the fedgan topics and a real S3 server (fedgan-devstack) on free ports. */
public class StackResource implements QuarkusTestResourceLifecycleManager {

    static final Topics TOPICS = Topics.withPrefix(Topics.DEFAULT_PREFIX);

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
}

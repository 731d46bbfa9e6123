package dev.fedgan.clientupdate;

import dev.fedgan.devstack.EmbeddedKafka;
import dev.fedgan.devstack.EmbeddedS3;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * The real servers a {@code @QuarkusTest} talks to over sockets: a single-node KRaft broker and an S3 server
 * (fedgan-devstack's {@link EmbeddedKafka} and {@link EmbeddedS3}) on free ports. Dev Services stay off.
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    static final String TASKS = "round-tasks";
    static final String UPDATES = "client-updates";
    static final String DEAD_LETTER = "dead-letter";

    private EmbeddedKafka kafka;
    private EmbeddedS3 s3;

    @Override
    public Map<String, String> start() {
        kafka = EmbeddedKafka.builder().start();
        for (String topic : new String[] {TASKS, UPDATES, DEAD_LETTER}) {
            kafka.createTopic(topic, 1);
        }
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

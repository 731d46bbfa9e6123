package dev.fedgan.clientupdate;

import java.util.Map;

import dev.fedgan.devstack.EmbeddedKafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real single-node KRaft broker (fedgan-devstack's {@link EmbeddedKafka}) on free ports for a {@code @QuarkusTest};
 * its address becomes {@code kafka.bootstrap.servers}. Dev Services stay off (no Docker here).
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    static final String TASKS = "round-tasks";
    static final String UPDATES = "client-updates";
    static final String DEAD_LETTER = "dead-letter";

    private EmbeddedKafka kafka;

    @Override
    public Map<String, String> start() {
        long t0 = System.nanoTime();
        kafka = EmbeddedKafka.builder().start();
        for (String topic : new String[] {TASKS, UPDATES, DEAD_LETTER}) {
            kafka.createTopic(topic, 1);
        }
        System.out.printf("KafkaBrokerResource: broker %s up in %d ms%n", kafka.bootstrapServers(),
                (System.nanoTime() - t0) / 1_000_000);
        return Map.of("kafka.bootstrap.servers", kafka.bootstrapServers());
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }
}

package dev.fedgan.aggregator;

import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Where a round's tasks go: round-robin over the partitions of {@code round-tasks}, so that n client-update replicas
 * sharing them get m/n tasks each, give or take one. Keyed by client alone, Kafka's hash sent 10 tasks to 2 replicas
 * as 5/5 only one round in four (6/4 or worse otherwise), and a round lasts as long as its busiest replica.
 * client-update's consumers take the partitions round-robin as well (RoundRobinAssignor), so that with more
 * partitions than replicas neighbouring partitions belong to different replicas. Tasks stay keyed by client.
 */
@ApplicationScoped
public class TaskPartitions {

    private static final Logger LOG = Logger.getLogger(TaskPartitions.class);

    private final KafkaClientService kafka;
    private final String topic;
    /** Partitions of the topic as last read from the producer's metadata; 0 while not known (tasks go by key). */
    private volatile int count;

    public TaskPartitions(KafkaClientService kafka,
            @ConfigProperty(name = "mp.messaging.outgoing.round-tasks.topic") String topic) {
        this.kafka = kafka;
        this.topic = topic;
    }

    /** The topic the tasks go to. */
    String topic() {
        return topic;
    }

    /**
     * The partition of task {@code k} of round {@code round} (starting one further each round, so that the tasks
     * beyond a multiple of the partitions do not always land on the same ones), or -1 while the count is not known.
     */
    int of(int k, int round) {
        return choose(k, round, count);
    }

    static int choose(int k, int round, int partitions) {
        return partitions > 0 ? Math.floorMod(k + round, partitions) : -1;
    }

    /** Reads the partition count from the producer's metadata, in the background. */
    void refresh() {
        try {
            kafka.<String, String>getProducer("round-tasks").partitionsFor(topic).subscribe().with(
                    p -> count = p.size(),
                    e -> LOG.debugf("partitions of %s not known yet: %s", topic, e.getMessage()));
        } catch (RuntimeException e) { // the channel not started yet
            LOG.debugf("partitions of %s not known yet: %s", topic, e.getMessage());
        }
    }
}

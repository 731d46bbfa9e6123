package dev.fedgan.aggregator;

import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Where a round's tasks and updates go. Tasks: round-robin over the partitions of {@code round-tasks}, so that n
 * client-update replicas sharing them get m/n tasks each, give or take one. Keyed by client alone, Kafka's hash sent
 * 10 tasks to 2 replicas as 5/5 only one round in four (6/4 or worse otherwise), and a round lasts as long as its
 * busiest replica. client-update's consumers take the partitions round-robin as well (RoundRobinAssignor), so that
 * with more partitions than replicas neighbouring partitions belong to different replicas. Tasks stay keyed by client.
 * Updates: round-robin over the partitions of {@code client-updates} likewise, so that the aggregator's shards (its
 * partitions) sum m/P updates each; each task names its update's partition.
 */
@ApplicationScoped
public class TaskPartitions {

    private static final Logger LOG = Logger.getLogger(TaskPartitions.class);

    private final KafkaClientService kafka;
    private final String topic;
    private final String updatesTopic;
    /** Partitions of the tasks' topic as last read from the producer's metadata; 0 while not known (go by key). */
    private volatile int count;
    /** Partitions of the updates' topic as last read; 0 while not known. */
    private volatile int updateCount;

    public TaskPartitions(KafkaClientService kafka,
            @ConfigProperty(name = "mp.messaging.outgoing.round-tasks.topic") String topic,
            @ConfigProperty(name = "mp.messaging.outgoing.round-plans.topic") String updatesTopic) {
        this.kafka = kafka;
        this.topic = topic;
        this.updatesTopic = updatesTopic;
    }

    /** The topic the tasks go to. */
    String topic() {
        return topic;
    }

    /** The topic the updates, the round plans and closings go to. */
    String updatesTopic() {
        return updatesTopic;
    }

    /**
     * The partition of task {@code k} of round {@code round} (starting one further each round, so that the tasks
     * beyond a multiple of the partitions do not always land on the same ones), or -1 while the count is not known.
     */
    int of(int k, int round) {
        return choose(k, round, count);
    }

    /**
     * The partition of {@code client-updates} that the update of task {@code k} of round {@code round} goes to, as
     * {@link #of} spreads the tasks. The count must be known: it is read from the broker, waiting for it if need be.
     *
     * @throws IllegalStateException if the broker does not tell it within 30 s
     */
    int update(int k, int round) {
        if (updateCount == 0) {
            try {
                updateCount = kafka.<String, String>getProducer("round-plans").partitionsFor(updatesTopic)
                        .await().atMost(Duration.ofSeconds(30)).size();
            } catch (RuntimeException e) {
                throw new IllegalStateException("the partitions of " + updatesTopic + " are not known: "
                        + e.getMessage(), e);
            }
        }
        return choose(k, round, updateCount);
    }

    static int choose(int k, int round, int partitions) {
        return partitions > 0 ? Math.floorMod(k + round, partitions) : -1;
    }

    /** Reads the partition counts from the producers' metadata, in the background. */
    void refresh() {
        refresh("round-tasks", topic, n -> count = n);
        refresh("round-plans", updatesTopic, n -> updateCount = n);
    }

    private void refresh(String channel, String name, java.util.function.IntConsumer set) {
        try {
            kafka.<String, String>getProducer(channel).partitionsFor(name).subscribe().with(
                    p -> set.accept(p.size()),
                    e -> LOG.debugf("partitions of %s not known yet: %s", name, e.getMessage()));
        } catch (RuntimeException e) { // the channel not started yet
            LOG.debugf("partitions of %s not known yet: %s", name, e.getMessage());
        }
    }
}

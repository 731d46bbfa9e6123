package dev.fedgan.cli;

import dev.fedgan.protocol.DeadLetter;
import dev.fedgan.protocol.ImagesReady;
import dev.fedgan.protocol.MessageException;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.PopulationReady;
import dev.fedgan.protocol.RoundCompleted;
import dev.fedgan.protocol.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows one experiment on the services' topics (populations, rounds, images, dead letters) from the beginning,
 * reporting each message about it to a {@link Listener}, until every GAN has announced its last round and the
 * verdict has come (or, once the rounds are over, {@link #VERDICT_GRACE_SECONDS} have passed without it).
 * Used by {@code fedgan watch} (lines) and {@code fedgan demo} (progress bars).
 *
 * <p>Of the dead letters it reports only the experiment's own request refused ({@link #isRequest}): the others are
 * about the services' internal records (round tasks, client updates, populations, rounds) and may name a client,
 * its delta or what was wrong with its update, which stays with the operators (the services' logs and the
 * {@code dead-letter} topic are inside the trusted boundary, docs/privacy.md).
 *
 * <p>The submitter's identity on a secured cluster reads only the released topics ({@code KafkaAccess}): then it
 * follows the rounds (which carry N̂) and the images alone, and a refused request shows as no round at all.
 */
final class ExperimentFollower {

    /** How long to wait for the verdict after the last round, seconds. */
    static final int VERDICT_GRACE_SECONDS = 120;

    /** What was seen of one GAN; {@code populationSize} is the released noisy size N̂ (never the members). */
    record GanProgress(String gan, int populationSize, int round, double epsilon, boolean finished,
            String stoppedBecause, String polarity, Double meanPixel) {
    }

    /** What the experiment came to. */
    record Outcome(String experimentId, List<GanProgress> gans, String verdict, ImagesReady report,
            List<String> deadLetters) {
    }

    /** Callbacks, on the following thread, for the messages about the experiment. */
    interface Listener {
        default void population(PopulationReady m) {
        }

        default void round(RoundCompleted m) {
        }

        default void images(ImagesReady m) {
        }

        default void deadLetter(DeadLetter m) {
        }

        default void unreadable(String topic, String why) {
        }

        /** The identity may not read {@code topics} (the services' own): followed without them. */
        default void restricted(Set<String> topics) {
        }
    }

    private final Properties kafka;
    private final Topics topics;

    ExperimentFollower(Properties kafka, Topics topics) {
        this.kafka = kafka;
        this.topics = topics;
    }

    /**
     * Follows {@code experimentId} until its {@code gans} are finished and the verdict is in.
     *
     * @throws IllegalArgumentException if the rounds are not all finished within {@code timeoutSeconds}
     */
    Outcome follow(String experimentId, List<String> gans, long timeoutSeconds, Listener listener) {
        if (timeoutSeconds < 1) {
            throw new IllegalArgumentException("timeout must be >= 1 second, got " + timeoutSeconds);
        }
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "fedgan-follow-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<String, GanProgress> progress = new LinkedHashMap<>();
        for (String g : gans) {
            progress.put(g, new GanProgress(g, 0, 0, 0, false, null, null, null));
        }
        List<String> deadLetters = new ArrayList<>();
        ImagesReady report = null;
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        long verdictDeadline = Long.MAX_VALUE;
        List<String> following = new ArrayList<>(List.of(topics.populations(), topics.rounds(), topics.images(),
                topics.deadLetter()));
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            // The topics this identity may see (Kafka lists only those): the submitter's are the released ones,
            // rounds (which carry N̂) and images; a refused request then shows only to the operators.
            Set<String> hidden = new TreeSet<>(following);
            hidden.removeAll(consumer.listTopics(Duration.ofSeconds(30)).keySet());
            if (hidden.contains(topics.rounds()) || hidden.contains(topics.images())) {
                throw new IllegalArgumentException("this Kafka identity may not read " + hidden + " (or they do not"
                        + " exist): follow with the submitter's (--kafka-config)");
            }
            if (!hidden.isEmpty()) {
                following.removeAll(hidden);
                listener.restricted(hidden);
            }
            consumer.subscribe(following);
            while (report == null || !allFinished(progress)) {
                long now = System.nanoTime();
                if (allFinished(progress)) {
                    verdictDeadline = Math.min(verdictDeadline, now + VERDICT_GRACE_SECONDS * 1_000_000_000L);
                    if (now > verdictDeadline) {
                        break;
                    }
                } else if (now > deadline) {
                    throw new IllegalArgumentException("experiment " + experimentId + " did not finish within "
                            + timeoutSeconds + " s (seen: " + progress.values() + ")");
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        if (r.topic().equals(topics.deadLetter())) {
                            DeadLetter m = deadLetter(r);
                            if (m.experimentId().equals(experimentId) && isRequest(m)) {
                                deadLetters.add(m.service() + ": " + m.reason());
                                listener.deadLetter(m);
                            }
                        } else if (r.topic().equals(topics.populations())) {
                            PopulationReady m = Messages.decode(r.value(), PopulationReady.class);
                            if (m.experimentId().equals(experimentId) && progress.containsKey(m.gan())) {
                                GanProgress o = progress.get(m.gan());
                                progress.put(m.gan(), new GanProgress(o.gan(), m.populationSize(), o.round(), o.epsilon(),
                                        o.finished(), o.stoppedBecause(), o.polarity(), o.meanPixel()));
                                listener.population(m);
                            }
                        } else if (r.topic().equals(topics.rounds())) {
                            RoundCompleted m = Messages.decode(r.value(), RoundCompleted.class);
                            if (m.experimentId().equals(experimentId) && progress.containsKey(m.gan())) {
                                GanProgress o = progress.get(m.gan());
                                int n = m.populationSize() != null ? m.populationSize() : o.populationSize();
                                progress.put(m.gan(), new GanProgress(o.gan(), n, m.round(), m.epsilon(),
                                        m.finished(), m.stoppedBecause(), o.polarity(), o.meanPixel()));
                                listener.round(m);
                            }
                        } else {
                            ImagesReady m = Messages.decode(r.value(), ImagesReady.class);
                            if (m.experimentId().equals(experimentId)) {
                                GanProgress o = progress.get(m.gan());
                                if (o != null) {
                                    progress.put(m.gan(), new GanProgress(o.gan(), o.populationSize(), o.round(), o.epsilon(),
                                            o.finished(), o.stoppedBecause(), m.polarity(), m.meanPixel()));
                                }
                                if (m.verdict() != null) {
                                    report = m;
                                }
                                listener.images(m);
                            }
                        }
                    } catch (MessageException e) {
                        listener.unreadable(r.topic(), e.getMessage());
                    }
                }
            }
        }
        return new Outcome(experimentId, List.copyOf(progress.values()), report == null ? null : report.verdict(),
                report, deadLetters);
    }

    /**
     * Reads a record of the dead-letter topic as the services' Kafka connector writes it: the original value, the
     * reason in the {@code dead-letter-reason} header, starting with the service's name (see the services'
     * {@code DeadLetters}), and where it came from in {@code dead-letter-topic/partition/offset}.
     */
    static DeadLetter deadLetter(ConsumerRecord<String, String> r) {
        String reason = header(r, "dead-letter-reason");
        String service = "unknown service";
        int colon = reason == null ? -1 : reason.indexOf(": ");
        if (colon > 0 && reason.substring(0, colon).matches("[a-z][a-z-]*")) {
            service = reason.substring(0, colon);
            reason = reason.substring(colon + 2);
        }
        String partition = header(r, "dead-letter-partition");
        String offset = header(r, "dead-letter-offset");
        return Messages.deadLetter(service, header(r, "dead-letter-topic"),
                partition == null ? -1 : Integer.parseInt(partition), offset == null ? -1 : Long.parseLong(offset),
                r.key(), r.value(), reason == null ? "(no reason recorded)" : reason);
    }

    /** Whether a dead letter is a record of the {@code experiments} topic: a request that a service refused. */
    boolean isRequest(DeadLetter m) {
        return topics.experiments().equals(m.topic());
    }

    private static String header(ConsumerRecord<String, String> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static boolean allFinished(Map<String, GanProgress> progress) {
        return progress.values().stream().allMatch(GanProgress::finished);
    }
}

package dev.fedgan.protocol;

import java.util.List;

/**
 * Who may do what on Kafka, least privilege: each service reads the topics it consumes and writes those it produces
 * (the dead-letter topic included), in its own consumer groups; nothing else. The submitter (the ML team's
 * {@code fedgan submit}, {@code watch}, {@code demo}) may submit requests and read the released announcements, rounds
 * and images, but not the populations (their members are user ids for the aggregator) nor the dead letters (a
 * client's record may name it). One table for every place that grants access: the dev stack's secure mode; a test
 * checks it against the channels in each service's {@code application.properties}.
 *
 * @param user   the Kafka user (the service's name, or {@link #SUBMITTER})
 * @param reads  topics it may read
 * @param writes topics it may write
 * @param groups consumer groups it may use; a name ending in {@code *} is a prefix
 */
public record KafkaAccess(String user, List<String> reads, List<String> writes, List<String> groups) {

    /** The user of whoever submits experiments, sweeps and RGB runs. */
    public static final String SUBMITTER = "submitter";

    public KafkaAccess {
        reads = List.copyOf(reads);
        writes = List.copyOf(writes);
        groups = List.copyOf(groups);
    }

    /** The access of the four services and the submitter, over topics {@code t}. */
    public static List<KafkaAccess> of(Topics t) {
        return List.of(
                new KafkaAccess("filter", List.of(t.experiments(), t.fairnessSweeps(), t.rgbRequests()),
                        List.of(t.populations(), t.fairnessPoints(), t.rgbRuns(), t.deadLetter()),
                        List.of("fedgan-filter", "fedgan-filter-fairness", "fedgan-filter-rgb")),
                new KafkaAccess("client-update",
                        List.of(t.roundTasks(), t.fairnessPoints(), t.fairnessRounds(), t.rgbRounds()),
                        List.of(t.clientUpdates(), t.fairnessResults(), t.fairnessUpdates(), t.rgbUpdates(),
                                t.deadLetter()),
                        List.of("fedgan-client-update", "fedgan-fairness-workers", "fedgan-fairness-users",
                                "fedgan-rgb-clients")),
                new KafkaAccess("aggregator",
                        List.of(t.populations(), t.clientUpdates(), t.roundShares(), t.fairnessPoints(),
                                t.fairnessUpdates(), t.rgbRuns(), t.rgbUpdates()),
                        List.of(t.roundTasks(), t.clientUpdates(), t.roundShares(), t.rounds(), t.fairnessRounds(),
                                t.fairnessResults(), t.rgbRounds(), t.rgbResults(), t.deadLetter()),
                        List.of("fedgan-aggregator", "fedgan-aggregator-shards", "fedgan-aggregator-fairness",
                                "fedgan-aggregator-fairness-updates", "fedgan-aggregator-rgb",
                                "fedgan-aggregator-rgb-updates")),
                new KafkaAccess("image-render",
                        List.of(t.populations(), t.rounds(), t.fairnessResults(), t.rgbResults()),
                        List.of(t.images(), t.deadLetter()),
                        List.of("fedgan-image-render", "fedgan-image-render-fairness", "fedgan-image-render-rgb")),
                new KafkaAccess(SUBMITTER, List.of(t.rounds(), t.images()),
                        List.of(t.experiments(), t.fairnessSweeps(), t.rgbRequests()),
                        List.of("fedgan-follow-*")));
    }
}

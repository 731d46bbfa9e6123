package dev.fedgan.protocol;

import java.util.List;

/**
 * The Kafka topics, all under one configurable prefix (default {@code fedgan.}). Keys: experiment id, except
 * round tasks (keyed by client, so one client's tasks stay ordered on one partition).
 *
 * @param experiments   {@link ExperimentRequest}: starts an experiment (any Kafka client may produce it)
 * @param populations   {@link PopulationReady}: the filter's populations, one message per GAN
 * @param roundTasks    {@link RoundTask}: one per sampled client and round
 * @param clientUpdates {@link ClientUpdateReady}: a client's delta is in the object store, on the partition its task
 *                      names; between them the aggregator's {@link RoundOpened} and {@link RoundClosing}. Its
 *                      partitions are the aggregator's shards
 * @param rounds        {@link RoundCompleted}: the aggregator finished a round (ε included)
 * @param images        {@link ImagesReady}: grids, metrics, reports rendered
 * @param fairnessSweeps  {@link FairnessSweepRequest}: starts a fairness sweep (keyed by sweep id)
 * @param fairnessPoints  {@link FairnessPointTask}: one per point of a sweep, keyed by sweep and point so that the
 *                        points spread over the partitions and the workers sharing them
 * @param fairnessResults {@link FairnessPointDone}: a point's result is stored (keyed by sweep id)
 * @param fairnessRounds  {@link FairnessRoundTask}: a user's local training in a round of a federated point (keyed
 *                        by sweep, point and user)
 * @param fairnessUpdates {@link FairnessUpdateReady}: that user's update is stored (keyed by sweep id)
 * @param rgbRequests {@link RgbRequest}: starts an RGB DCGAN run (keyed by its id)
 * @param rgbRuns     {@link RgbRunTask}: a checked, stored RGB run for the aggregator (keyed by experiment)
 * @param rgbRounds   {@link RgbRoundTask}: a client's local steps in a round of an RGB run (keyed by experiment and
 *                    client)
 * @param rgbUpdates  {@link RgbUpdateReady}: that client's networks are stored (keyed by experiment)
 * @param rgbResults  {@link RgbRoundDone}: a round of an RGB run is averaged (keyed by experiment)
 * @param roundShares {@link ShareReady}: an aggregator shard's share of a round is stored (keyed by experiment; as
 *                    many partitions as {@code populations}: one consumer reads both, and the replica holding a
 *                    partition of one holds it of the other, so the shares reach the owner of the experiment's runs)
 * @param deadLetter    {@link DeadLetter}: what could not be processed, with the reason
 */
public record Topics(String experiments, String populations, String roundTasks, String clientUpdates, String rounds,
        String images, String fairnessSweeps, String fairnessPoints, String fairnessResults, String fairnessRounds,
        String fairnessUpdates, String rgbRequests, String rgbRuns, String rgbRounds, String rgbUpdates,
        String rgbResults, String roundShares, String deadLetter) {

    public static final String DEFAULT_PREFIX = "fedgan.";
    /** Partitions of client updates on the dev stack: the aggregator's shards there. */
    public static final int SHARDS = 2;

    public static Topics withPrefix(String prefix) {
        if (prefix == null || !prefix.matches("[A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("topic prefix may hold only letters, digits, '.', '_' and '-', got '" + prefix + "'");
        }
        return new Topics(prefix + "experiments", prefix + "populations", prefix + "round-tasks",
                prefix + "client-updates", prefix + "rounds", prefix + "images", prefix + "fairness-sweeps",
                prefix + "fairness-points", prefix + "fairness-results", prefix + "fairness-rounds",
                prefix + "fairness-updates", prefix + "rgb-requests", prefix + "rgb-runs", prefix + "rgb-rounds",
                prefix + "rgb-updates", prefix + "rgb-results", prefix + "round-shares", prefix + "dead-letter");
    }

    /**
     * The partitions {@code topic} needs for {@code workers} client-update replicas: the topics whose tasks the
     * replicas share in one group (round tasks, fairness points, fairness rounds) at least 4, or one per replica;
     * client updates {@value #SHARDS} (the aggregator's shards: up to that many aggregator replicas share them); the
     * others 1 (round shares as many as populations).
     */
    public int partitions(String topic, int workers) {
        if (topic.equals(clientUpdates)) {
            return SHARDS;
        }
        return topic.equals(roundTasks) || topic.equals(fairnessPoints) || topic.equals(fairnessRounds)
                ? Math.max(4, workers) : 1;
    }

    public List<String> all() {
        return List.of(experiments, populations, roundTasks, clientUpdates, rounds, images, fairnessSweeps,
                fairnessPoints, fairnessResults, fairnessRounds, fairnessUpdates, rgbRequests, rgbRuns, rgbRounds,
                rgbUpdates, rgbResults, roundShares, deadLetter);
    }
}

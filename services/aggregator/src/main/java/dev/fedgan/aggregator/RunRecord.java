package dev.fedgan.aggregator;

import dev.fedgan.protocol.ObjectRef;

/**
 * What survives a restart of the aggregator: the population message that started the run, its latest checkpoint,
 * the last round's announcement and outcome, and whether the run is over. Stored as JSON by {@link RunRecords}, in
 * the bucket: inside the trusted boundary, unlike the announcement's topic.
 *
 * @param format      1
 * @param population  the {@code populations} message, as it was encoded
 * @param checkpoint  the manifest of the latest checkpoint
 * @param lastRound   the last round's {@code rounds} announcement, encoded; null before the first round
 * @param lastOutcome what the last round's sample did, which the announcement does not say; null before the first
 *                    round (and in a record of an earlier version)
 * @param finished    true once the run has stopped (a population arriving again is then ignored)
 */
record RunRecord(int format, String population, ObjectRef checkpoint, String lastRound, Outcome lastOutcome,
        boolean finished) {

    /**
     * A completed round's updates, for operators and tests; never released.
     *
     * @param round    rounds completed (as in the announcement)
     * @param sampled  clients sampled
     * @param received updates added to the sum
     * @param rejected updates rejected as unusable (non-finite, wrong shape, corrupt)
     * @param late     updates that arrived after an earlier round had closed, since the round before completed
     */
    record Outcome(int round, int sampled, int received, int rejected, int late) {
    }
}

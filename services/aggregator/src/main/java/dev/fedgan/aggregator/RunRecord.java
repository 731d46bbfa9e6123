package dev.fedgan.aggregator;

import dev.fedgan.protocol.ObjectRef;

/**
 * What survives a restart of the aggregator: the population message that started the run, its latest checkpoint,
 * the last round's announcement and whether the run is over. Stored as JSON by {@link RunRecords}.
 *
 * @param format     1
 * @param population the {@code populations} message, as it was encoded
 * @param checkpoint the manifest of the latest checkpoint
 * @param lastRound  the last round's {@code rounds} announcement, encoded; null before the first round
 * @param finished   true once the run has stopped (a population arriving again is then ignored)
 */
record RunRecord(int format, String population, ObjectRef checkpoint, String lastRound, boolean finished) {
}

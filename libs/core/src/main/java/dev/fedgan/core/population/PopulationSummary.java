package dev.fedgan.core.population;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The small JSON summary written next to each population's CSVs.
 *
 * @param filter          {@code by_user} or {@code by_example}
 * @param selection       {@code low_accuracy}, {@code high_accuracy}, {@code correct} or {@code incorrect}
 * @param rule            the rule in words, e.g. {@code accuracy < 0.8825}
 * @param threshold       the accuracy threshold (by_user)
 * @param minNumExamples  minimum matching examples per writer (by_example)
 * @param writers         writers selected
 * @param examples        examples those writers contribute
 * @param trulyInverted   how many selected writers have the bug (ground truth, evaluation only)
 * @param expected        what a perfectly pure population would hold: {@code inverted} or {@code normal} writers
 * @param precision       share of selected writers that are {@code expected}; null when none is selected
 * @param recall          share of all {@code expected} writers that were selected; null when there are none
 * @param measuredWriters writers in the measurement the population was cut from
 * @param warning         set when the population is empty or degenerate
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PopulationSummary(String filter, String selection, String rule, Double threshold, Integer minNumExamples,
                                int writers, long examples, int trulyInverted, String expected, Double precision,
                                Double recall, int measuredWriters, String warning) {
}

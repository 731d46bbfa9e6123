package dev.fedgan.core.population;

import dev.fedgan.core.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A population on disk, in the reference layout under a populations directory:
 * {@code by_user/acc_lt0p882/client_ids.csv} or {@code by_example/min_num_examples_5/incorrect/{client_ids.csv,
 * example_indices_map.csv}}, each with a {@code summary.json}.
 */
public final class PopulationFiles {

    public static final String CLIENT_IDS = "client_ids.csv";
    public static final String EXAMPLE_INDICES = "example_indices_map.csv";
    public static final String SUMMARY = "summary.json";

    private PopulationFiles() {
    }

    /** Writes the population below {@code populationsDir}; returns its directory. */
    public static Path write(Path populationsDir, Population p) {
        Path dir = populationsDir.resolve(p.path());
        PopulationCsv.writeInversionMap(dir.resolve(CLIENT_IDS), p.inversion());
        if (p.byExample()) {
            PopulationCsv.writeIndexMap(dir.resolve(EXAMPLE_INDICES), p.exampleIndices());
        }
        Json.write(dir.resolve(SUMMARY), p.summary());
        return dir;
    }

    /**
     * Reads a population directory: ours, or one of the reference's precomputed ones (then without a summary).
     * For by_example the two CSVs must list the same client ids.
     */
    public static Population read(Path dir) {
        Path ids = dir.resolve(CLIENT_IDS);
        if (!Files.isRegularFile(ids)) {
            throw new IllegalArgumentException(ids + ": not found; expected a population directory");
        }
        Map<String, Boolean> inversion = PopulationCsv.readInversionMap(ids);
        Path idx = dir.resolve(EXAMPLE_INDICES);
        Map<String, int[]> indices = Files.isRegularFile(idx) ? PopulationCsv.readIndexMap(idx) : null;
        if (indices != null && !indices.keySet().equals(inversion.keySet())) {
            throw new IllegalArgumentException(dir + ": " + CLIENT_IDS + " and " + EXAMPLE_INDICES + " list different client ids");
        }
        Path sum = dir.resolve(SUMMARY);
        PopulationSummary summary = Files.isRegularFile(sum) ? Json.read(sum, PopulationSummary.class) : null;
        return new Population(dir.getFileName().toString(), inversion, indices, summary);
    }
}

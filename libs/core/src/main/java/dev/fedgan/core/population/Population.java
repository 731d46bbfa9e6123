package dev.fedgan.core.population;

import java.util.Map;

/**
 * A subpopulation of writers selected for one GAN (reference section 1 steps 4-5).
 *
 * @param path           where it lives under a populations directory, e.g. {@code by_user/acc_lt0p8825}
 * @param inversion      client id to "was this writer's data inverted", the reference's {@code client_ids.csv}
 * @param exampleIndices for by_example populations, client id to the kept example indices; null for by_user
 * @param summary        sizes, rule and purity against the ground truth
 */
public record Population(String path, Map<String, Boolean> inversion, Map<String, int[]> exampleIndices,
                         PopulationSummary summary) {

    public Population {
        if (exampleIndices != null && !exampleIndices.keySet().equals(inversion.keySet())) {
            throw new IllegalArgumentException(path + ": the client ids of the inversion map and the index map differ");
        }
    }

    public boolean byExample() {
        return exampleIndices != null;
    }
}

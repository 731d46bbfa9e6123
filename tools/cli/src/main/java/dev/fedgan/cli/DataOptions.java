package dev.fedgan.cli;

import dev.fedgan.core.data.WriterPartition;
import picocli.CommandLine.Option;

/** How to split data that has no writer ids (IDX files, the bundled digits) into writers. */
final class DataOptions {

    @Option(names = "--examples-per-writer", paramLabel = "N", defaultValue = "40",
            description = "Mean writer size when data has no writer ids (IDX, bundled). Default: ${DEFAULT-VALUE}.")
    int examplesPerWriter;

    @Option(names = "--label-skew", paramLabel = "ALPHA", defaultValue = "Infinity",
            description = "Dirichlet concentration of each synthetic writer's class mix; small = few classes per "
                    + "writer, Infinity = i.i.d. Default: ${DEFAULT-VALUE}.")
    double labelSkew;

    @Option(names = "--size-spread", paramLabel = "SIGMA", defaultValue = "0.5",
            description = "Log-normal spread of synthetic writer sizes, 0 = equal. Default: ${DEFAULT-VALUE}.")
    double sizeSpread;

    @Option(names = "--partition-seed", paramLabel = "SEED", defaultValue = "1",
            description = "Seed of the synthetic writer partition. Default: ${DEFAULT-VALUE}.")
    long partitionSeed;

    WriterPartition.Options partition() {
        return new WriterPartition.Options(examplesPerWriter, labelSkew, sizeSpread,
                Math.min(WriterPartition.Options.DEFAULT.minExamples(), examplesPerWriter), partitionSeed);
    }
}

package dev.fedgan.cli;

import picocli.CommandLine.Option;

/** The SGD and guarantee settings that every command training a classifier with DP-SGD shares. */
final class SgdOptions {

    @Option(names = "--delta", description = "delta of the guarantee. Default: min(1e-5, n^-1.1), n training examples.")
    Double delta;

    @Option(names = {"-B", "--batch"}, defaultValue = "256", paramLabel = "B",
            description = "Expected batch size (Poisson sampling; the drawn size varies). Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--learning-rate", defaultValue = "0.15", description = "SGD step size. Default: ${DEFAULT-VALUE}.")
    double learningRate;

    @Option(names = "--momentum", defaultValue = "0", description = "SGD momentum. Default: ${DEFAULT-VALUE}.")
    double momentum;
}

package dev.fedgan.cli;

import dev.fedgan.core.io.Json;
import picocli.CommandLine.Option;

/** {@code --json} and {@code --quiet}, shared by every command. */
final class Output {

    @Option(names = "--json", description = "Print the result as one JSON object on stdout (progress still goes to stderr).")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress bars.")
    boolean quiet;

    dev.fedgan.core.progress.Progress progress() {
        return TerminalProgress.forStderr(quiet);
    }

    /** Prints {@code result} as JSON, or the human text. */
    void print(Object result, String human) {
        System.out.println(json ? Json.toString(result) : human);
    }
}

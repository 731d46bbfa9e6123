package dev.fedgan.cli;

import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.DatasetSummary;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "data", description = "Look at federated data.", subcommands = DataCommand.Inspect.class,
        mixinStandardHelpOptions = true)
final class DataCommand {

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = {"Detect the format of a data file and summarise it: writers, examples, classes, pixel "
                    + "convention.",
                "",
                "Corrupt files, NaN pixels, bad labels, empty or duplicate writers are reported with file and writer.",
                ""})
    static final class Inspect implements Callable<Integer> {

        @Parameters(paramLabel = "DATA", description = "bundled, bundled:lab, bundled:field, or a TFF .h5 / LEAF .json / IDX file.")
        String data;

        @Mixin
        DataOptions dataOptions;

        @Mixin
        Output output;

        @Override
        public Integer call() {
            DatasetSummary s = DatasetSummary.of(DatasetLoader.load(data, dataOptions.partition()));
            String human = String.format(Locale.ROOT, """
                    %s
                      format:           %s
                      source:           %s
                      pixel convention: %s -> internal [-1, 1], background -1
                      writers:          %d (examples per writer: min %d, median %.1f, max %d)
                      examples:         %d
                      classes:          %d %s
                      mean pixel:       %.3f (%s)
                      fingerprint:      %s""",
                    s.name(), s.format(), s.source(), s.pixelConvention(), s.writers(), s.smallestWriter(), s.medianWriter(),
                    s.largestWriter(), s.examples(), s.classes(), java.util.Arrays.toString(s.classCounts()), s.meanPixel(),
                    s.looksInverted() ? "looks INVERTED: light background" : "normal: dark background, light ink",
                    s.fingerprint());
            output.print(s, human);
            return 0;
        }
    }
}

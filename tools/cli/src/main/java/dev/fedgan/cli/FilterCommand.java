package dev.fedgan.cli;

import dev.fedgan.core.measure.Measurement;
import dev.fedgan.core.measure.MeasurementFiles;
import dev.fedgan.core.population.Population;
import dev.fedgan.core.population.PopulationFiles;
import dev.fedgan.core.population.PopulationFilters;
import dev.fedgan.core.population.PopulationSummary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "filter", mixinStandardHelpOptions = true,
        description = {"Select the writer populations the GANs train on, from a measurement, as the reference's CSV files.",
            "",
            "A simulation / lab tool: it reads the per-user accuracies of 'fedgan measure' (computed centrally) and "
                + "writes member lists and purity, per-user values that are not a release. 'fedgan debug' and the "
                + "services select privately instead (docs/privacy.md, Population selection).",
            ""},
        subcommands = {FilterCommand.ByUser.class, FilterCommand.ByExample.class})
final class FilterCommand {

    static final String DEFAULT_DIR = "fedgan-out/populations";

    @Command(name = "by-user", mixinStandardHelpOptions = true,
            description = {"Low-accuracy writers (accuracy < --low) and high-accuracy writers (accuracy > --high).",
                "",
                "Writes by_user/acc_lt<low>/ and by_user/acc_gt<high>/ with client_ids.csv and summary.json.",
                "A simulation / lab tool: the thresholds default to exact percentiles of per-user accuracies computed "
                    + "centrally, and the output lists users: not a release.",
                ""})
    static final class ByUser implements Callable<Integer> {

        @Option(names = "--measurement", defaultValue = MeasureCommand.DEFAULT_DIR,
                description = "Output directory of 'fedgan measure'. Default: ${DEFAULT-VALUE}.")
        Path measurement;

        @Option(names = "--low", description = "Low-accuracy threshold (strict <). Default: the measured 25th percentile.")
        Double low;

        @Option(names = "--high", description = "High-accuracy threshold (strict >). Default: the measured 75th percentile.")
        Double high;

        @Option(names = "--out", defaultValue = DEFAULT_DIR, description = "Populations directory. Default: ${DEFAULT-VALUE}.")
        Path out;

        @Mixin
        Output output;

        @Override
        public Integer call() {
            Measurement m = MeasurementFiles.read(measurement);
            List<Population> pops = PopulationFilters.byUser(m, low != null ? low : m.lowThreshold(),
                    high != null ? high : m.highThreshold());
            return report(pops, out, output);
        }
    }

    @Command(name = "by-example", mixinStandardHelpOptions = true,
            description = {"Per writer, its correctly and its incorrectly classified examples; writers with at least "
                    + "--min-num-examples of them.",
                "",
                "Writes by_example/min_num_examples_N/{correct,incorrect}/.",
                "A simulation / lab tool: per-user, per-example values computed centrally, not a release.",
                ""})
    static final class ByExample implements Callable<Integer> {

        @Option(names = "--measurement", defaultValue = MeasureCommand.DEFAULT_DIR,
                description = "Output directory of 'fedgan measure'. Default: ${DEFAULT-VALUE}.")
        Path measurement;

        @Option(names = "--min-num-examples", defaultValue = "5", description = "Default: ${DEFAULT-VALUE}.")
        int minNumExamples;

        @Option(names = "--out", defaultValue = DEFAULT_DIR, description = "Populations directory. Default: ${DEFAULT-VALUE}.")
        Path out;

        @Mixin
        Output output;

        @Override
        public Integer call() {
            return report(PopulationFilters.byExample(MeasurementFiles.read(measurement), minNumExamples), out, output);
        }
    }

    static int report(List<Population> pops, Path out, Output output) {
        List<PopulationSummary> summaries = new ArrayList<>();
        StringBuilder human = new StringBuilder();
        for (Population p : pops) {
            Path dir = PopulationFiles.write(out, p);
            summaries.add(p.summary());
            human.append(describe(p.summary(), dir)).append('\n');
        }
        output.print(summaries, human.toString().stripTrailing());
        return 0;
    }

    static String describe(PopulationSummary s, Path dir) {
        String purity = s.precision() == null ? "empty" : String.format(Locale.ROOT,
                "%.0f%% of them %s (precision), %s of all %s writers (recall)", 100 * s.precision(), s.expected(),
                s.recall() == null ? "n/a" : String.format(Locale.ROOT, "%.0f%%", 100 * s.recall()), s.expected());
        return String.format(Locale.ROOT, "%-14s %-40s %3d writers, %5d examples; %s%n  -> %s%s", s.selection(), s.rule(),
                s.writers(), s.examples(), purity, dir, s.warning() == null ? "" : "\n  WARNING: " + s.warning());
    }
}

package dev.fedgan.cli;

import dev.fedgan.core.data.DatasetException;
import dev.fedgan.core.io.BuildInfo;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code fedgan} command. Every subcommand prints a human summary, or JSON with {@code --json}. */
@Command(name = "fedgan", mixinStandardHelpOptions = true, versionProvider = FedganCli.Version.class,
        description = {
            "Debug a model on data you cannot see: measure where the primary classifier fails across writers, "
                + "select the failing and the healthy populations, and train DP federated GANs on each to see their "
                + "data.",
            "",
            "Start with 'fedgan demo': the whole workflow on the four services and a local Kafka and S3 stack, "
                + "on the bundled digits (the main job). 'fedgan debug' runs the same workflow in one JVM, "
                + "without the services.",
            "",
            "Data: 'bundled:lab' / 'bundled:field' (shipped MNIST digits), a TFF .h5 file, a LEAF .json file or "
                + "directory, or an IDX *-images-idx3-ubyte[.gz] file.",
            ""},
        subcommands = {DemoCommand.class, DebugCommand.class, DataCommand.class, ClassifierCommand.class,
            MeasureCommand.class, FilterCommand.class, SubmitCommand.class, WatchCommand.class, FetchCommand.class,
            PrivacyCommand.class, DpSgdCommand.class, FairnessCommand.class, RgbCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Exit status: 0 success, 1 failure (one-line reason on stderr), 2 bad usage."})
public final class FedganCli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit status (tests call this). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new FedganCli());
        // Help fills the terminal's width (picocli asks the terminal; 80 columns when there is none, as in tests
        // and pipes; -Dpicocli.usage.width=N overrides).
        cli.setUsageHelpAutoWidth(true);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            err.println("fedgan: error: " + reason(ex));
            if (System.getenv("FEDGAN_DEBUG") != null) {
                ex.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        return cli.execute(args);
    }

    static String reason(Throwable ex) {
        Throwable t = ex;
        while (!(t instanceof DatasetException || t instanceof IllegalArgumentException) && t.getCause() != null) {
            t = t.getCause();
        }
        String msg = t.getMessage() != null ? t.getMessage() : ex.toString();
        return msg.replace('\n', ' ');
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"fedgan " + BuildInfo.fedganVersion() + " (DL4J " + BuildInfo.dl4jVersion() + ")"};
        }
    }
}

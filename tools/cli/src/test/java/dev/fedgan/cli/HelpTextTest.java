package dev.fedgan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The help text is wrapped by picocli, at the terminal's width: a description element is a paragraph (or a
 * preformatted line), never a piece of a sentence broken by hand, which picocli would wrap again mid-line.
 */
class HelpTextTest {

    /** Every command's description, header and footer and every option's and parameter's description. */
    private static List<Text> texts() {
        List<Text> texts = new ArrayList<>();
        collect(new CommandLine(new FedganCli()), texts);
        return texts;
    }

    private record Text(String where, String[] lines) {
    }

    private static void collect(CommandLine cmd, List<Text> texts) {
        CommandSpec spec = cmd.getCommandSpec();
        String name = spec.qualifiedName();
        texts.add(new Text(name + " description", spec.usageMessage().description()));
        texts.add(new Text(name + " header", spec.usageMessage().header()));
        texts.add(new Text(name + " footer", spec.usageMessage().footer()));
        for (ArgSpec arg : spec.args()) {
            String label = arg.isOption() ? ((CommandLine.Model.OptionSpec) arg).longestName() : arg.paramLabel();
            texts.add(new Text(name + " " + label, arg.description()));
        }
        cmd.getSubcommands().values().stream()
                .filter(sub -> !(sub.getCommand() instanceof CommandLine.HelpCommand)) // picocli's own, with %n
                .forEach(sub -> collect(sub, texts));
    }

    /** What is wrong with one text: line breaks inside an element, sentences broken across elements. */
    static List<String> problems(String where, String[] lines) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.contains("\n") || line.contains("\r") || line.contains("%n")) {
                problems.add(where + ": a line break inside \"" + line + "\"");
            }
            if (line.startsWith(" ") && line.length() > 78) {
                // picocli would continue an indented line (a list item, an example) at column 0.
                problems.add(where + ": an indented line wider than 78 columns: \"" + line + "\"");
            }
            String next = i + 1 < lines.length ? lines[i + 1] : "";
            boolean broken = line.startsWith(" ")
                    // an indented item continued on a deeper-indented line
                    ? next.matches(" +[a-z(].*") && indent(next) > indent(line) && !line.matches(".*[.:!?)]$")
                    // a paragraph continued on the next element
                    : !line.isBlank() && !next.isBlank() && !next.startsWith(" ")
                            && (!line.matches(".*[.:!?)]$") || Character.isLowerCase(next.codePointAt(0)));
            if (broken) {
                problems.add(where + ": a sentence broken by hand between \"" + line + "\" and \"" + next + "\"");
            }
        }
        return problems;
    }

    private static int indent(String line) {
        return line.length() - line.stripLeading().length();
    }

    @Test
    void descriptionsAreParagraphsThatPicocliWraps() {
        List<Text> texts = texts();
        assertTrue(texts.size() > 100, "found " + texts.size() + " texts");
        List<String> problems = new ArrayList<>();
        texts.forEach(t -> problems.addAll(problems(t.where(), t.lines())));
        assertEquals(List.of(), problems);
    }

    @Test
    void theCheckFindsTheOldHandBreaks() {
        // Descriptions as they were: one sentence over two elements, a list item too wide, a colon before a
        // continuation, an option description with a \n.
        assertEquals(1, problems("fedgan", new String[] {
            "Debug a model on data you cannot see: measure where the primary classifier fails across writers,",
            "select the failing and the healthy populations, and train DP federated GANs on each to see their data."})
                .size());
        assertEquals(2, problems("demo", new String[] {"The debugging workflow on the services:",
            "  1. start the dev stack (Kafka + S3) unless one is running, and the four services as separate JVMs",
            "     (filter, client-update, aggregator, image-render; logs in OUT/logs/),"}).size());
        assertEquals(1, problems("measure", new String[] {"Apply the bug and measure the classifier on every writer:",
            "per-writer accuracy (CSV), the histogram (PNG)."}).size());
        assertEquals(1, problems("--x", new String[] {"Final epochs at a tenth of the rate;\nthe first epoch..."}).size());
        assertEquals(List.of(), problems("ok", new String[] {"One paragraph.", "", "Another:", "  an example", "Last."}));
    }

    @Test
    void topLevelHelpStartsWithTheDemo() {
        String help = FedganCliTest.run("--help").out();
        int demo = help.indexOf("Start with 'fedgan demo'");
        assertTrue(demo >= 0, help);
        assertTrue(help.indexOf("'fedgan debug'", demo) > demo, help);
        // The commands list starts with the two ways to run the whole workflow.
        List<String> commands = help.lines().dropWhile(l -> !l.equals("Commands:")).skip(1)
                .filter(l -> l.matches("  [a-z].*")).map(l -> l.strip().split(" ")[0]).toList();
        assertEquals(List.of("demo", "debug"), commands.subList(0, 2), help);
    }

    @Test
    void everyHelpLineFitsEightyColumns() {
        List<String> problems = new ArrayList<>();
        List<String[]> commands = List.of(new String[0], new String[] {"data", "inspect"},
                new String[] {"classifier", "train"}, new String[] {"classifier", "eval"}, new String[] {"measure"},
                new String[] {"filter", "by-user"}, new String[] {"filter", "by-example"}, new String[] {"submit"},
                new String[] {"watch"}, new String[] {"fetch"}, new String[] {"demo"}, new String[] {"debug"},
                new String[] {"privacy", "epsilon"});
        for (String[] c : commands) {
            String[] args = java.util.Arrays.copyOf(c, c.length + 1);
            args[c.length] = "--help";
            FedganCliTest.Run r = FedganCliTest.run(args);
            assertEquals(0, r.status(), String.join(" ", args) + ": " + r.err());
            r.out().lines().filter(l -> l.length() > 80)
                    .forEach(l -> problems.add(String.join(" ", c) + ": " + l.length() + " columns: " + l));
        }
        assertEquals(List.of(), problems);
    }

    /**
     * Every command's and subcommand's help renders without a picocli warning (a lone '%' in a text is one: picocli
     * formats the texts, and falls back to the raw text with a warning on stderr).
     */
    @Test
    void everyHelpRendersWithoutAWarning() {
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        int commands = 0;
        try {
            System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
            java.util.ArrayDeque<CommandLine> todo = new java.util.ArrayDeque<>(
                    List.of(new CommandLine(new FedganCli())));
            while (!todo.isEmpty()) {
                CommandLine c = todo.pop();
                todo.addAll(c.getSubcommands().values());
                assertTrue(c.getUsageMessage().contains("Usage:"), c.getCommandName());
                commands++;
            }
        } finally {
            System.setErr(stderr);
        }
        assertTrue(commands > 15, "commands seen: " + commands);
        assertEquals("", warnings.toString(java.nio.charset.StandardCharsets.UTF_8));
    }
}

package dev.fedgan.core.report;

import dev.fedgan.core.classifier.ClassifierProvenance;
import dev.fedgan.core.gan.GanRunFiles;
import dev.fedgan.core.gan.PopulationComparison;
import dev.fedgan.core.io.AtomicFiles;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.population.PopulationFilters;
import dev.fedgan.core.population.PrivateSelection;
import dev.fedgan.core.population.SelectionRelease;
import dev.fedgan.core.privacy.DpSgdPrivacy;
import dev.fedgan.core.privacy.ExperimentPrivacy;
import dev.fedgan.core.privacy.PrivacyStatement;
import dev.fedgan.core.privacy.SelectionPrivacy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The debugging run's report, {@code report.json} and {@code report.html} side by side: the verdict first, the
 * two GANs' pictures, then the evidence (classifier, the private selection's noisy accuracy histogram, thresholds
 * and noisy population sizes N̂) and the privacy statement of the selection and of each GAN, and, for a classifier
 * trained with DP-SGD, its sample-level guarantee for the lab data. Paths in it are
 * relative to the report's directory. The report is released: it holds nothing of the simulation's ground truth
 * (per-user accuracies, who has the bug, member lists, purity), which stays under {@code simulation/}.
 */
public final class DebugReport {

    public static final String JSON = "report.json";
    public static final String HTML = "report.html";

    /**
     * Everything the report states. {@code classifier}, {@code selection} and {@code histogram} may be null (the
     * image-render service writes the report from what the filter stored): the report then says what is not
     * available.
     *
     * @param selection the private selection's release ({@code selection/selection.json})
     * @param histogram the path of its noisy histogram's picture
     * @param privacy   the experiment's one guarantee: the selection composed with both GANs (null without the
     *                  selection)
     */
    public record Content(String verdict, boolean inversionFound, ClassifierProvenance classifier,
            SelectionRelease selection, String histogram, PopulationComparison.Comparison gans,
            ExperimentPrivacy privacy) {

        /** The content, with the experiment's total privacy computed from the selection and the GANs' statements. */
        public static Content of(String verdict, boolean inversionFound, ClassifierProvenance classifier,
                SelectionRelease selection, String histogram, PopulationComparison.Comparison gans) {
            return new Content(verdict, inversionFound, classifier, selection, histogram, gans,
                    selection == null ? null : totalPrivacy(selection, gans));
        }
    }

    /** The selection composed with the two GANs, at the selection's (the experiment's) delta. */
    public static ExperimentPrivacy totalPrivacy(SelectionRelease selection, PopulationComparison.Comparison gans) {
        Map<String, PrivacyStatement> g = new LinkedHashMap<>();
        g.put(PopulationFilters.LOW_ACCURACY, gans.low().gan().privacy());
        g.put(PopulationFilters.HIGH_ACCURACY, gans.high().gan().privacy());
        return ExperimentPrivacy.of(new SelectionPrivacy(selection.noiseMultiplier(), selection.privacy().releases()),
                g, selection.privacy().delta());
    }

    private static final List<String> GANS = List.of(PopulationFilters.LOW_ACCURACY, PopulationFilters.HIGH_ACCURACY);

    private DebugReport() {
    }

    /**
     * The sample-level guarantee of a classifier trained with DP-SGD, in words, for the report and the command
     * line's summary: ε under both conversions, δ, S, z, q and the steps, and the unit (one training example of the
     * lab data, not a user); null for a classifier trained without DP (or none).
     */
    public static String classifierPrivacy(ClassifierProvenance c) {
        if (c == null || c.privacy() == null) {
            return null;
        }
        DpSgdPrivacy d = c.privacy();
        return String.format(Locale.ROOT, "Primary classifier trained with DP-SGD: sample-level (epsilon, delta)-DP for"
                        + " one training example of the lab data (%s, %d examples), not for a user: epsilon = %.4g"
                        + " (original conversion) / %.4g (improved conversion) at delta = %.3g%s; clip S = %s, noise"
                        + " multiplier z = %s%s, Poisson sampling q = %d/%d = %.4g, %d steps. The users' guarantee is"
                        + " user-level (all of a user's data) and is stated apart.%s",
                c.trainData(), d.examples(), d.epsilonOriginal(), d.epsilonImproved(), d.delta(),
                d.deltaIsDefault() ? " (the default min(1e-5, n^-1.1))" : "", plain(d.clipNorm()),
                plain(d.noiseMultiplier()), d.targetEpsilon() == null ? ""
                        : " (chosen for the target epsilon " + plain(d.targetEpsilon()) + ")",
                d.expectedBatch(), d.examples(), d.q(), d.steps(),
                d.noise().startsWith("seeded") ? " Its sampling and noise were seeded: NOT private." : "");
    }

    public static void write(Path dir, Content c) {
        Json.write(dir.resolve(JSON), c);
        AtomicFiles.write(dir.resolve(HTML), "HTML", tmp -> Files.writeString(tmp, html(c), StandardCharsets.UTF_8));
    }

    static String html(Content c) {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>fedgan debugging report</title>")
                .append("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
                .append(".verdict{font-size:1.3em;padding:1em;border-radius:6px;background:")
                .append(c.inversionFound() ? "#fde8e8" : "#eef3fb").append("}img{max-width:100%}</style></head><body>")
                .append("<h1>fedgan debugging report</h1>");
        h.append("<p class=\"verdict\">").append(esc(c.verdict())).append("</p>");
        if (c.privacy() != null) {
            h.append("<p><b>Privacy of the whole experiment:</b> ").append(esc(c.privacy().line(GANS))).append("</p>");
        }
        h.append("<img alt=\"generated images, low- vs high-accuracy users\" src=\"").append(esc(c.gans().picture())).append("\">");
        h.append("<h2>GANs</h2><table><tr><th></th><th>low-accuracy users</th><th>high-accuracy users</th></tr>");
        PopulationComparison.Side lo = c.gans().low();
        PopulationComparison.Side hi = c.gans().high();
        row(h, "population", lo.population(), hi.population());
        row(h, "size N̂ (noisy count, the N of q)", Integer.toString(lo.populationSize()),
                Integer.toString(hi.populationSize()));
        row(h, "rounds", lo.gan().rounds() + " — " + lo.gan().stoppedBecause(), hi.gan().rounds() + " — " + hi.gan().stoppedBecause());
        row(h, "mean generated pixel", fmt(lo.gan().last().meanPixel()) + " (" + lo.gan().last().polarity() + ")",
                fmt(hi.gan().last().meanPixel()) + " (" + hi.gan().last().polarity() + ")");
        row(h, "classifier score", opt(lo.gan().last().classifierScore()), opt(hi.gan().last().classifierScore()));
        row(h, "Fréchet classifier distance", opt(lo.gan().last().frechetDistance()), opt(hi.gan().last().frechetDistance()));
        row(h, "ε (improved conversion)", String.format(Locale.ROOT, "%.4g at δ = %.3g", lo.gan().privacy().epsilonImproved(),
                lo.gan().privacy().delta()), String.format(Locale.ROOT, "%.4g at δ = %.3g", hi.gan().privacy().epsilonImproved(),
                hi.gan().privacy().delta()));
        rowHtml(h, "grids over rounds", link(PopulationComparison.ganFile(PopulationFilters.LOW_ACCURACY, lo.gan().gif())),
                link(PopulationComparison.ganFile(PopulationFilters.HIGH_ACCURACY, hi.gan().gif())));
        rowHtml(h, "per-round log", link(PopulationComparison.ganFile(PopulationFilters.LOW_ACCURACY, GanRunFiles.ROUNDS_CSV)),
                link(PopulationComparison.ganFile(PopulationFilters.HIGH_ACCURACY, GanRunFiles.ROUNDS_CSV)));
        h.append("</table>");
        h.append("<h2>Where the classifier fails</h2>");
        SelectionRelease sel = c.selection();
        if (c.classifier() != null) {
            h.append(String.format(Locale.ROOT, "<p>Primary classifier: %.2f%% test accuracy%s.",
                    100 * c.classifier().testAccuracy(), c.classifier().privacy() == null ? ""
                            : String.format(Locale.ROOT, ", trained with DP-SGD (epsilon = %.4g for one lab example)",
                            c.classifier().privacy().epsilonOriginal())));
        } else {
            h.append("<p>Primary classifier: not available (no classifier score or Fréchet classifier distance).");
        }
        if (sel != null) {
            h.append(String.format(Locale.ROOT, " Each of the %d users' devices measured it on its own data; the server"
                    + " learned only a noisy histogram of their accuracies (%d bins, noise N(0, %s²) per bin) and then"
                    + " the noisy size of each population.%s</p>", sel.users(), sel.histogram().bins(),
                    plain(sel.noiseMultiplier()), sel.usersLeftOut() == 0 ? "" : String.format(Locale.ROOT, " %d more"
                            + " users of the data set hold fewer than %d examples, the fewest a client trains on: they"
                            + " took no part (not measured, not counted in N_field).", sel.usersLeftOut(),
                            dev.fedgan.core.gan.ClientTraining.MIN_EXAMPLES)));
        } else {
            h.append(" The private selection is not available.</p>");
        }
        if (c.histogram() != null) {
            h.append("<img alt=\"noisy per-user accuracy histogram\" src=\"").append(esc(c.histogram())).append("\">");
        }
        h.append("<h2>Populations</h2><table><tr><th>population</th><th>devices' rule</th><th>threshold</th>")
                .append("<th>noisy count</th><th>N̂</th></tr>");
        if (sel != null) {
            SelectionRelease.Thresholds t = sel.thresholds();
            for (SelectionRelease.PopulationSize p : sel.populations()) {
                boolean low = p.gan().equals(PopulationFilters.LOW_ACCURACY);
                h.append("<tr><td>").append(esc(p.gan())).append("</td><td>").append(esc(p.rule())).append("</td><td>")
                        .append(esc(low ? t.lowFrom() : t.highFrom())).append("</td><td>")
                        .append(String.format(Locale.ROOT, "%.1f", p.noisyCount())).append("</td><td>")
                        .append(p.populationSize()).append("</td></tr>");
            }
        }
        h.append("</table><p>Sizes and thresholds are differentially private releases (or post-processing of them):"
                + " nobody's accuracy or membership is in this report. In a simulation, the ground truth (who has the"
                + " bug, each population's members and purity) is kept apart, under ").append(PrivateSelection.SIMULATION_DIR)
                .append("/, and is not released.</p>");
        h.append("<h2>Privacy</h2>");
        if (c.privacy() != null && !c.privacy().differentiallyPrivate()) {
            h.append("<h3>The whole experiment</h3><p>").append(esc("No differential privacy: a GAN trained without"
                    + " noise. Nothing formal protects a user's data.")).append("</p>");
        } else if (c.privacy() != null) {
            h.append("<h3>The whole experiment</h3><p>").append(esc(String.format(Locale.ROOT, "User-level"
                    + " (epsilon, delta)-DP of everything this report and the experiment's files release: epsilon = %.4g"
                    + " at delta = %.3g (improved conversion, order %s; original %.4g). Rule: %s.",
                    c.privacy().epsilonImproved(), c.privacy().delta(), plain(c.privacy().bestOrderImproved()),
                    c.privacy().epsilonOriginal(), ExperimentPrivacy.COMPOSITION))).append("</p>");
        }
        if (sel != null) {
            SelectionRelease.Privacy p = sel.privacy();
            h.append("<h3>Population selection</h3><p>").append(esc(String.format(Locale.ROOT, "Two Gaussian releases of"
                    + " sensitivity 1 under add/remove-one-user adjacency (the histogram, then the two populations'"
                    + " counts), noise multiplier z = %s: epsilon = %.4g at delta = %.3g%s on its own (improved"
                    + " conversion, order %s; original %.4g). The experiment's total composes it with the larger of the"
                    + " two GANs' RDP, their populations being disjoint.", plain(sel.noiseMultiplier()),
                    p.epsilonImproved(), p.delta(), p.deltaIsDefault() ? " (the default min(1e-5, N_field^-1.1) for the"
                    + " " + sel.users() + " users of the data set)" : "", plain(p.bestOrderImproved()),
                    p.epsilonOriginal()))).append(sel.secureNoise() ? "" : esc(" The noise was seeded: NOT private."))
                    .append("</p>");
        }
        for (PopulationComparison.Side s : List.of(lo, hi)) {
            h.append("<h3>").append(esc(s.label())).append("</h3><p>").append(esc(s.gan().privacy().paragraph()))
                    .append("</p><p><small>").append(esc(s.gan().randomness())).append("</small></p>");
        }
        String classifier = classifierPrivacy(c.classifier());
        if (classifier != null) {
            h.append("<h3>The primary classifier (sample-level, the lab data)</h3><p>").append(esc(classifier))
                    .append("</p><p><small>").append(esc(c.classifier().privacy().sampling())).append("; noise: ")
                    .append(esc(c.classifier().privacy().noise())).append("</small></p>");
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void row(StringBuilder h, String name, String a, String b) {
        rowHtml(h, name, esc(a), esc(b));
    }

    /** A row whose cells are already HTML. */
    private static void rowHtml(StringBuilder h, String name, String aHtml, String bHtml) {
        h.append("<tr><th>").append(esc(name)).append("</th><td>").append(aHtml).append("</td><td>").append(bHtml)
                .append("</td></tr>");
    }

    private static String link(String path) {
        return "<a href=\"" + esc(path) + "\">" + esc(path) + "</a>";
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%+.3f", v);
    }

    private static String plain(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static String opt(Double v) {
        return v == null ? "–" : String.format(Locale.ROOT, "%.4g", v);
    }

    public static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

package dev.fedgan.cli;

import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = {"Copy an experiment's (or a fairness sweep's) released files from the object store into a local "
                + "folder.",
            "",
            "The folder gets the released tree 'fedgan debug --out DIR' writes (classifier/, selection/, gans/, "
                + "low_vs_high.png, report.html, report.json), each file checked against its checksum. The "
                + "simulation's ground truth (per-user accuracies, who has the bug, member lists, purity) is not "
                + "released and not fetched, unless --simulation asks for it.",
            ""})
final class FetchCommand implements Callable<Integer> {

    @Parameters(paramLabel = "ID", description = "The experiment id.")
    String experimentId;

    @Option(names = "--out", description = "Target folder. Default: fedgan-out/ID.")
    Path out;

    @Option(names = "--simulation", description = "Also fetch the simulation's ground truth into OUT/simulation/: "
            + "per-user values computed centrally, NOT a release (a real deployment has none of it).")
    boolean simulation;

    @Mixin
    S3Options s3;

    @Mixin
    Output output;

    @Override
    public Integer call() throws Exception {
        Path target = out != null ? out : Path.of("fedgan-out", experimentId);
        int files;
        try (ObjectStore store = s3.connect()) {
            files = fetch(new ModelStore(store), experimentId, target, simulation);
        }
        if (files == 0) {
            throw new IllegalArgumentException("no files of experiment " + experimentId + " in bucket " + s3.bucket
                    + " at " + s3.endpoint + " (is the id right, and has the filter run?)");
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("experiment_id", experimentId);
        r.put("out", target.toString());
        r.put("files", files);
        Path report = target.resolve("report.html");
        r.put("report", Files.exists(report) ? report.toString() : null);
        output.print(r, "fetched " + files + " files of " + experimentId + " into " + target
                + (Files.exists(report) ? "\nreport: " + report : ""));
        return 0;
    }

    /**
     * Fetches the experiment's released files into {@code target}, and with {@code simulation} its simulation ground
     * truth into {@code target/simulation}; returns how many files there are now.
     */
    static int fetch(ModelStore models, String experimentId, Path target, boolean simulation) throws java.io.IOException {
        models.fetchAll(experimentId, ExperimentLayout.FILES, target);
        if (simulation) {
            models.fetchAll(experimentId, ExperimentLayout.SIMULATION,
                    target.resolve(ExperimentLayout.SIMULATION.substring(0, ExperimentLayout.SIMULATION.length() - 1)));
        }
        if (!Files.isDirectory(target)) {
            return 0;
        }
        try (var walk = Files.walk(target)) {
            return (int) walk.filter(Files::isRegularFile).count();
        }
    }
}

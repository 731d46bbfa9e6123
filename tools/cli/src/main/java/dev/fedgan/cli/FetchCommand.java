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
        description = {"Copy an experiment's output files from the object store into a local folder.",
            "",
            "The folder gets the same tree 'fedgan debug --out DIR' writes (classifier/, measurement/, populations/, "
                + "gans/, low_vs_high.png, report.html, report.json), each file checked against its checksum.",
            ""})
final class FetchCommand implements Callable<Integer> {

    @Parameters(paramLabel = "ID", description = "The experiment id.")
    String experimentId;

    @Option(names = "--out", description = "Target folder. Default: fedgan-out/ID.")
    Path out;

    @Mixin
    S3Options s3;

    @Mixin
    Output output;

    @Override
    public Integer call() throws Exception {
        Path target = out != null ? out : Path.of("fedgan-out", experimentId);
        int files;
        try (ObjectStore store = s3.connect()) {
            files = fetch(new ModelStore(store), experimentId, target);
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

    /** Fetches the experiment's files into {@code target}; returns how many there are now. */
    static int fetch(ModelStore models, String experimentId, Path target) throws java.io.IOException {
        models.fetchAll(experimentId, ExperimentLayout.FILES, target);
        if (!Files.isDirectory(target)) {
            return 0;
        }
        try (var walk = Files.walk(target)) {
            return (int) walk.filter(Files::isRegularFile).count();
        }
    }
}

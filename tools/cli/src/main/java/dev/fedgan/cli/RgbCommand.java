package dev.fedgan.cli;

import dev.fedgan.core.data.ColourImages;
import dev.fedgan.core.gan.rgb.ColourQuality;
import dev.fedgan.core.gan.rgb.DcganClient;
import dev.fedgan.core.gan.rgb.DcganFederation;
import dev.fedgan.core.gan.rgb.RgbRunFiles;
import dev.fedgan.core.gan.rgb.RgbSpec;
import dev.fedgan.core.gan.rgb.UserLevelFederation;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.progress.Progress;
import dev.fedgan.core.render.ImageGrid;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.RgbRequest;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "rgb", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train the 64x64 RGB DCGAN federated over clients, each client's discriminator with DP-SGD on "
                + "its own images (FLivGen's federation, Opacus' DP DCGAN), in one JVM or, with --submit, on the services.",
            "",
            "Each step a client draws each of its n images with probability q = B/n, clips each drawn image's "
                + "discriminator gradient to S and adds N(0, (zS)^2) to the sum; the fake-image term and the "
                + "generator step touch no real image and are not charged. Every round each client starts from the "
                + "global networks and takes --local-steps steps; the server averages the clients' networks. Each "
                + "client's epsilon protects one of its images (sample level), over all its steps.",
            "",
            "Writes grids/round-NNNN.png (the same latents every time), training.gif, rounds.csv (the losses on "
                + "generated images, the largest client epsilon and the quality figure per round), quality.png and "
                + "report.html (the privacy statement) to --out.",
            ""})
final class RgbCommand implements Callable<Integer> {

    @Option(names = "--data", defaultValue = "shapes",
            description = "shapes (generated coloured shapes), or a folder of JPEG/PNG images or CelebA. Default: "
                    + "${DEFAULT-VALUE}.")
    String data;

    @Option(names = "--images", defaultValue = "512",
            description = "For shapes: how many to generate; for a folder: read at most this many (0: all). Default: "
                    + "${DEFAULT-VALUE}.")
    int images;

    @Option(names = "--clients", defaultValue = "even:4", paramLabel = "HOW",
            description = "folder (a client per subfolder), attribute:NAME (a client per value of an attribute, e.g. "
                    + "attribute:Male), even:K (K clients at random), or dirichlet:K:ALPHA:ATTR[,ATTR...] (K clients, each "
                    + "one's mix of kinds, told apart by the attributes, drawn from Dirichlet(ALPHA): small ALPHA, "
                    + "clients of few kinds; e.g. dirichlet:8:0.3:circle,square). Default: ${DEFAULT-VALUE}.")
    String clients;

    @Option(names = "--widths", defaultValue = "16,16", split = ",", paramLabel = "NGF,NDF",
            description = "Generator and discriminator widths (the paper: 64,64). Default: ${DEFAULT-VALUE}.")
    List<Integer> widths;

    @Option(names = "--rounds", defaultValue = "10", description = "Federated rounds. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--local-steps", defaultValue = "10",
            description = "Steps per client per round. Default: ${DEFAULT-VALUE}.")
    int localSteps;

    @Option(names = {"-B", "--batch"}, defaultValue = "32",
            description = "Expected real images per step (and generated images per step). Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = {"-S", "--clip"}, defaultValue = "1.0", description = "Per-image gradient bound. Default: "
            + "${DEFAULT-VALUE}.")
    double clip;

    @Option(names = {"-z", "--noise-multiplier"}, defaultValue = "1.0",
            description = "Noise standard deviation / S. Default: ${DEFAULT-VALUE}.")
    double noiseMultiplier;

    @Option(names = "--non-private", description = "No clipping and no noise: the baseline.")
    boolean nonPrivate;

    @Option(names = "--learning-rate", defaultValue = "2e-4",
            description = "Adam's (beta1 0.5), both networks. Default: ${DEFAULT-VALUE}.")
    double learningRate;

    @Option(names = "--seed", defaultValue = "1", description = "Weights, data, latents. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--reproducible",
            description = "Seeded sampling and noise: the same run twice, NOT private (tests and comparisons only).")
    boolean reproducible;

    @Option(names = "--grid-every", defaultValue = "1", paramLabel = "K",
            description = "A grid every K rounds (and after the last). Default: ${DEFAULT-VALUE}.")
    int gridEvery;

    @Option(names = "--quality", defaultValue = "auto", paramLabel = "auto|on|off",
            description = "With each grid, a Frechet distance of " + RgbSpec.QUALITY_IMAGES + " generated images "
                    + "against the data's own images in the features of a small classifier trained on their "
                    + "attributes (lower is better; in rounds.csv and the GIF). NOT private: it reads the real images "
                    + "unclipped. auto: on for shapes, off for a folder. Default: ${DEFAULT-VALUE}.")
    String quality;

    @Option(names = "--loss", defaultValue = "dcgan", paramLabel = "dcgan|wgan-gp",
            description = "The discriminator's loss: dcgan (binary cross-entropy on its sigmoid, the paper's) or "
                    + "wgan-gp (a Wasserstein critic, Gulrajani et al. 2017, with the gradient penalty lambda = 10 at a "
                    + "random point between each real image and a generated one, inside that image's clipped "
                    + "gradient). Default: ${DEFAULT-VALUE}.")
    String loss;

    @Option(names = "--user-level",
            description = "User-level DP instead (the project's DP-FedAvg-GAN aggregation): each round a Poisson draw "
                    + "of clients (q = M/N) trains the discriminator on their images without noise; the server clips "
                    + "each client's discriminator delta to S (--clip), adds N(0, (zS)^2) to the sum, divides by M, "
                    + "and takes --generator-steps generator steps. Epsilon protects all of one client's images.")
    boolean userLevel;

    @Option(names = {"-m", "--clients-per-round"}, defaultValue = "2", paramLabel = "M",
            description = "--user-level: expected clients per round. Default: ${DEFAULT-VALUE}.")
    int clientsPerRound;

    @Option(names = "--generator-steps", defaultValue = "6",
            description = "--user-level: the server's generator steps per round (the reference's experiments: 6). "
                    + "Default: ${DEFAULT-VALUE}.")
    int generatorSteps;

    @Option(names = "--out", defaultValue = "fedgan-out/rgb", description = "Output directory. Default: "
            + "${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--submit", paramLabel = "ID",
            description = "Run it on the services instead, as run ID: checked here, then produced to the rgb-requests "
                    + "topic; the aggregator runs the rounds, client-update replicas train the clients, image-render "
                    + "writes the files. Fetch them with 'fedgan fetch ID'. The data must be readable by the services "
                    + "(shapes always are).")
    String submit;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    Output output;

    @Override
    public Integer call() throws Exception {
        if (widths.size() != 2) {
            throw new IllegalArgumentException("--widths takes NGF,NDF, got " + widths);
        }
        RgbSpec sampleLevel = new RgbSpec(data, images, clients, widths.get(0), widths.get(1), rounds, localSteps,
                batch, clip, noiseMultiplier, nonPrivate, learningRate, seed, reproducible, gridEvery,
                switch (quality) {
                    case "auto" -> data.equals("shapes");
                    case "on" -> true;
                    case "off" -> false;
                    default -> throw new IllegalArgumentException("--quality takes auto, on or off, got '" + quality
                            + "'");
                });
        RgbSpec spec = (userLevel ? sampleLevel.atUserLevel(clientsPerRound, generatorSteps) : sampleLevel)
                .withLoss(DcganClient.Objective.of(loss));
        ColourImages all = spec.clientImages();
        int n = all.clientIds().size();
        int[] sizes = spec.checkedSizes(all);
        if (submit != null) { // checked here; the services build the networks
            return submit(spec, all);
        }
        double delta = spec.delta(sizes);
        Training fed;
        if (userLevel) {
            UserLevelFederation.Options uo = spec.userOptions();
            UserLevelFederation u = new UserLevelFederation(all, uo, delta);
            fed = new Training(u::round, u::generator, Math.max(1, Math.round(n * u.samplingRate())), "clients",
                    eps -> RgbRunFiles.userPrivacy(uo, n, delta, eps));
        } else {
            int smallest = java.util.Arrays.stream(sizes).min().orElseThrow();
            DcganFederation f = new DcganFederation(all, spec.options(), delta);
            fed = new Training(f::round, f::generator, (long) n * localSteps, "steps",
                    eps -> RgbRunFiles.samplePrivacy(spec, n, smallest, delta, eps));
        }
        ColourQuality judge = spec.quality(all);
        Files.createDirectories(out);
        Progress bar = output.progress();
        bar.start(userLevel ? "RGB DCGAN, user level" : "RGB DCGAN", rounds * fed.unitsPerRound(), fed.unit());
        List<BufferedImage> frames = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        List<RgbRunFiles.Row> done = new ArrayList<>();
        DcganFederation.Round last = null;
        for (int r = 1; r <= rounds; r++) {
            last = fed.round().apply(bar);
            boolean drawn = spec.drawsGrid(r);
            RgbRunFiles.Row row = new RgbRunFiles.Row(last, drawn && judge != null
                    ? spec.qualityOf(judge, fed.generator().get()) : null);
            done.add(row);
            if (drawn) {
                BufferedImage grid = RgbRunFiles.gridImage(DcganFederation.draw(fed.generator().get(), seed,
                        RgbSpec.GRID_IMAGES));
                ImageGrid.writePng(grid, out.resolve(RgbRunFiles.grid(r)));
                frames.add(grid);
                captions.add(RgbRunFiles.caption(row, nonPrivate));
            }
            // after every round: a stopped run keeps its rounds
            Files.writeString(out.resolve(RgbRunFiles.CSV), RgbRunFiles.csv(done, nonPrivate));
        }
        bar.finish(rounds + " rounds");
        Files.write(out.resolve(RgbRunFiles.GIF), RgbRunFiles.gif(frames, captions));
        BufferedImage chart = RgbRunFiles.chart(done, nonPrivate);
        if (chart != null) {
            ImageGrid.writePng(chart, out.resolve(RgbRunFiles.CHART));
        }
        Files.writeString(out.resolve(RgbRunFiles.HTML), RgbRunFiles.report("fedgan RGB DCGAN", fed.privacy()
                .apply(last.epsilon()), done, nonPrivate, chart != null, rounds));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("images", all.size());
        result.put("clients", n);
        result.put("privacy", nonPrivate ? null : userLevel ? "user level" : "sample level");
        result.put("rounds", rounds);
        result.put("epsilon", nonPrivate ? null : last.epsilon());
        result.put("delta", nonPrivate ? null : delta);
        result.put("frechet_distance", done.get(done.size() - 1).frechet());
        result.put("out", out.toString());
        Double fd = done.get(done.size() - 1).frechet();
        String human = String.format(Locale.ROOT, "%d images over %d clients, %d rounds of %d local steps; %s%s%n"
                + "grids, training.gif, rounds.csv and report.html in %s", all.size(), all.clientIds().size(), rounds, localSteps,
                nonPrivate ? "non-private" : userLevel ? String.format(Locale.ROOT, "epsilon %.3f at delta %.3g (all "
                        + "of one client's images; user-level DP-FedAvg of the discriminator)", last.epsilon(), delta)
                        : String.format(Locale.ROOT, "largest client epsilon %.3f at delta %.3g (one image of a "
                        + "client; sample-level DP-SGD on each discriminator)", last.epsilon(), delta),
                fd == null ? "" : String.format(Locale.ROOT, "%nFrechet distance at the last round %.2f (0: the real "
                        + "images; not private)", fd), out);
        output.print(result, human);
        return 0;
    }


    /** Produces the checked run for the services. */
    private int submit(RgbSpec spec, ColourImages all) throws Exception {
        RgbRequest request = new RgbRequest(Messages.SCHEMA, submit, Json.MAPPER.readTree(spec.toJson()));
        var meta = SubmitCommand.produce(kafka, kafka.topics().rgbRequests(), submit, Messages.encode(request));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("run_id", submit);
        r.put("clients", all.clientIds().size());
        r.put("rounds", rounds);
        r.put("topic", meta.topic());
        r.put("offset", meta.offset());
        output.print(r, String.format(Locale.ROOT, "submitted RGB run %s (%d clients, %d rounds) to %s; its progress: "
                + "fedgan_rgb_rounds{experiment=\"%s\"} on image-render's /q/metrics; its files: fedgan fetch %s",
                submit, all.clientIds().size(), rounds, meta.topic(), submit, submit));
        return 0;
    }

    /** A mode's rounds, its generator, and how its progress is counted. */
    private record Training(java.util.function.Function<Progress, DcganFederation.Round> round,
                            java.util.function.Supplier<dev.fedgan.core.dpsgd.Network> generator, long unitsPerRound,
                            String unit, java.util.function.DoubleFunction<String> privacy) {
    }
}

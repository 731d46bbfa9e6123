package dev.fedgan.cli;

import dev.fedgan.core.data.ColourImages;
import dev.fedgan.core.data.ColourPartition;
import dev.fedgan.core.data.ColourShapes;
import dev.fedgan.core.data.ImageFolderReader;
import dev.fedgan.core.gan.rgb.DcganClient;
import dev.fedgan.core.gan.rgb.DcganFederation;
import dev.fedgan.core.gan.rgb.DcganNetworks;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.core.progress.Progress;
import dev.fedgan.core.render.GridAnimation;
import dev.fedgan.core.render.ImageGrid;
import java.awt.image.BufferedImage;
import java.io.IOException;
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
                + "its own images (FLivGen's federation, Opacus' DP DCGAN), in one JVM.",
            "",
            "Each step a client draws each of its n images with probability q = B/n, clips each drawn image's "
                + "discriminator gradient to S and adds N(0, (zS)^2) to the sum; the fake-image term and the "
                + "generator step touch no real image and are not charged. Every round each client starts from the "
                + "global networks and takes --local-steps steps; the server averages the clients' networks. Each "
                + "client's epsilon protects one of its images (sample level), over all its steps.",
            "",
            "Writes grids/round-NNNN.png (the same latents every time), training.gif and rounds.csv (losses and the "
                + "largest client epsilon per round) to --out.",
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

    @Option(names = "--out", defaultValue = "fedgan-out/rgb", description = "Output directory. Default: "
            + "${DEFAULT-VALUE}.")
    Path out;

    @Mixin
    Output output;

    @Override
    public Integer call() throws IOException {
        if (widths.size() != 2) {
            throw new IllegalArgumentException("--widths takes NGF,NDF, got " + widths);
        }
        DcganClient.Options client = new DcganClient.Options(clip, nonPrivate ? 0 : noiseMultiplier, batch,
                learningRate, 0.5, seed, reproducible, nonPrivate);
        DcganFederation.Options o = new DcganFederation.Options(new DcganNetworks.Widths(widths.get(0),
                widths.get(1)), client, rounds, localSteps, seed);
        ColourImages all = partition(load());
        int smallest = all.clientIds().stream().mapToInt(id -> all.imagesOf(id).length).min().orElseThrow();
        double delta = PrivacyCalculator.defaultDelta(smallest);
        DcganFederation fed = new DcganFederation(all, o, delta); // checks every client against the batch
        Files.createDirectories(out.resolve("grids"));
        Progress bar = output.progress();
        bar.start("RGB DCGAN", (long) rounds * all.clientIds().size() * localSteps, "steps");
        List<BufferedImage> frames = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        StringBuilder csv = new StringBuilder("round,discriminator_real_loss,discriminator_fake_loss,generator_loss,"
                + "epsilon\n");
        DcganFederation.Round last = null;
        for (int r = 1; r <= rounds; r++) {
            last = fed.round(bar);
            BufferedImage grid = ImageGrid.colourGrid(fed.draw(32), DcganNetworks.SIDE, 4, 8);
            ImageGrid.writePng(grid, out.resolve(String.format(Locale.ROOT, "grids/round-%04d.png", r)));
            frames.add(grid);
            captions.add(nonPrivate ? "round " + r : String.format(Locale.ROOT, "round %d, epsilon %.2f", r,
                    last.epsilon()));
            csv.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%s%n", r, last.discriminatorRealLoss(),
                    last.discriminatorFakeLoss(), last.generatorLoss(), nonPrivate ? "" : Double.toString(last.epsilon())));
            Files.writeString(out.resolve("rounds.csv"), csv); // after every round: a stopped run keeps its rounds
        }
        bar.finish(rounds + " rounds");
        GridAnimation.writeGif(frames, captions, out.resolve("training.gif"), 400);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("images", all.size());
        result.put("clients", all.clientIds().size());
        result.put("rounds", rounds);
        result.put("epsilon", nonPrivate ? null : last.epsilon());
        result.put("delta", nonPrivate ? null : delta);
        result.put("out", out.toString());
        String human = String.format(Locale.ROOT, "%d images over %d clients, %d rounds of %d local steps; %s%n"
                + "grids, training.gif and rounds.csv in %s", all.size(), all.clientIds().size(), rounds, localSteps,
                nonPrivate ? "non-private" : String.format(Locale.ROOT, "largest client epsilon %.3f at delta %.3g "
                        + "(one image of a client; sample-level DP-SGD on each discriminator)", last.epsilon(), delta),
                out);
        output.print(result, human);
        return 0;
    }

    private ColourImages load() {
        if (data.equals("shapes")) {
            if (images < 1) {
                throw new IllegalArgumentException("--images must be >= 1 for shapes, got " + images);
            }
            return ColourShapes.generate(images, 1, DcganNetworks.SIDE, seed);
        }
        return ImageFolderReader.read(Path.of(data), DcganNetworks.SIDE, Math.max(0, images));
    }

    private ColourImages partition(ColourImages d) {
        if (clients.equals("folder")) {
            return d;
        }
        if (clients.startsWith("attribute:")) {
            return ColourPartition.byAttribute(d, clients.substring("attribute:".length()));
        }
        if (clients.startsWith("even:")) {
            try {
                return ColourPartition.evenly(d, Integer.parseInt(clients.substring("even:".length())), seed);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--clients even:K needs a number, got '" + clients + "'");
            }
        }
        if (clients.startsWith("dirichlet:")) {
            String[] p = clients.split(":", -1);
            try {
                if (p.length == 4 && !p[3].isBlank()) {
                    return ColourPartition.dirichlet(d, Integer.parseInt(p[1]), Double.parseDouble(p[2]),
                            List.of(p[3].split(",")), seed);
                }
            } catch (NumberFormatException e) {
                // named below
            }
            throw new IllegalArgumentException("--clients dirichlet:K:ALPHA:ATTR[,ATTR...] needs a count, an alpha and "
                    + "attributes, got '" + clients + "'");
        }
        throw new IllegalArgumentException("--clients takes folder, attribute:NAME, even:K or "
                + "dirichlet:K:ALPHA:ATTR[,ATTR...], got '" + clients + "'");
    }
}

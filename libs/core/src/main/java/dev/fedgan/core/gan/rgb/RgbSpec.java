package dev.fedgan.core.gan.rgb;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fedgan.core.data.ColourImages;
import dev.fedgan.core.data.ColourPartition;
import dev.fedgan.core.data.ColourShapes;
import dev.fedgan.core.data.ImageFolderReader;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.privacy.PrivacyCalculator;
import java.nio.file.Path;
import java.util.List;

/**
 * A whole RGB DCGAN run as one value: where its images come from, how they are cut into clients, and the
 * federation's options. {@code fedgan rgb} runs one in a JVM; submitted over Kafka it is stored once, and the filter
 * loads its clients from it ({@link #clientImages}) and stores each client's images apart for the replicas.
 *
 * @param data            {@code shapes} (generated coloured shapes) or a folder of JPEG/PNG images or CelebA
 * @param images          for shapes how many to generate; for a folder read at most this many (0: all)
 * @param clients         {@code folder}, {@code attribute:NAME}, {@code even:K} or
 *                        {@code dirichlet:K:ALPHA:ATTR[,ATTR...]}
 * @param ngf             the generator's width
 * @param ndf             the discriminator's width
 * @param rounds          federated rounds
 * @param localSteps      steps per client per round
 * @param batch           B, the expected real images per step (and generated images per step)
 * @param clip            S, each real image's gradient bound
 * @param noiseMultiplier z
 * @param nonPrivate      no clipping, no noise, nothing accounted
 * @param learningRate    Adam's, both networks (β₁ 0.5)
 * @param seed            weights, data, latents (and sampling and noise when reproducible)
 * @param reproducible    seeded sampling and noise: NOT private (tests and comparisons)
 * @param gridEvery       a grid of the generator's images every this many rounds (and after the last)
 * @param quality         with each grid, the {@link ColourQuality} Fréchet distance of {@value #QUALITY_IMAGES}
 *                        generated images against the run's own images: NOT private (the real images are read
 *                        unclipped and unnoised), for data the team may see
 * @param userLevel       user-level DP ({@link UserLevelFederation}) instead of each client's DP-SGD: S bounds each
 *                        included client's discriminator delta, z noises their sum
 * @param clientsPerRound user level: m, the expected clients per round (q = m/N)
 * @param generatorSteps  user level: the server's generator steps per round
 * @param loss            the discriminator's loss (absent in a stored spec: the DCGAN's)
 */
public record RgbSpec(String data, int images, String clients, int ngf, int ndf, int rounds, int localSteps,
                      int batch, double clip, double noiseMultiplier, boolean nonPrivate, double learningRate,
                      long seed, boolean reproducible, int gridEvery, boolean quality, boolean userLevel,
                      int clientsPerRound, int generatorSteps, DcganClient.Objective loss) {

    /** The images in each grid: the same latents every time. */
    public static final int GRID_IMAGES = 32;
    /** The generated images each quality figure is computed on (the same latents every time). */
    public static final int QUALITY_IMAGES = 256;

    public RgbSpec {
        if (loss == null) {
            loss = DcganClient.Objective.DCGAN;
        }
        if (data == null || data.isBlank()) {
            throw new IllegalArgumentException("an RGB run needs its data: shapes or a folder");
        }
        if (data.equals("shapes") ? images < 1 || images > 1_000_000 : images < 0) {
            throw new IllegalArgumentException("images must be in [1, 1000000] for shapes and >= 0 (0: all) for a "
                    + "folder, got " + images);
        }
        if (clients == null || clients.isBlank()) {
            throw new IllegalArgumentException("an RGB run needs its clients: folder, attribute:NAME, even:K or "
                    + "dirichlet:K:ALPHA:ATTR[,ATTR...]");
        }
        if (gridEvery < 1) {
            throw new IllegalArgumentException("grids every k rounds needs k >= 1, got " + gridEvery);
        }
        options(ngf, ndf, rounds, localSteps, batch, clip, noiseMultiplier, nonPrivate, learningRate, seed,
                reproducible, loss); // their own checks, before any work
        if (userLevel) {
            userOptions(ngf, ndf, rounds, clientsPerRound, localSteps, batch, clip, noiseMultiplier, generatorSteps,
                    learningRate, seed, reproducible, nonPrivate, loss);
        }
    }

    /** A sample-level run (each client's discriminator under DP-SGD). */
    public RgbSpec(String data, int images, String clients, int ngf, int ndf, int rounds, int localSteps, int batch,
                   double clip, double noiseMultiplier, boolean nonPrivate, double learningRate, long seed,
                   boolean reproducible, int gridEvery, boolean quality) {
        this(data, images, clients, ngf, ndf, rounds, localSteps, batch, clip, noiseMultiplier, nonPrivate,
                learningRate, seed, reproducible, gridEvery, quality, false, 0, 0, DcganClient.Objective.DCGAN);
    }

    /** The same run at user level: m expected clients per round, the server's generator steps per round. */
    public RgbSpec atUserLevel(int m, int serverGeneratorSteps) {
        return new RgbSpec(data, images, clients, ngf, ndf, rounds, localSteps, batch, clip, noiseMultiplier,
                nonPrivate, learningRate, seed, reproducible, gridEvery, quality, true, m, serverGeneratorSteps, loss);
    }

    /** The same run with the discriminator's loss {@code l}. */
    public RgbSpec withLoss(DcganClient.Objective l) {
        return new RgbSpec(data, images, clients, ngf, ndf, rounds, localSteps, batch, clip, noiseMultiplier,
                nonPrivate, learningRate, seed, reproducible, gridEvery, quality, userLevel, clientsPerRound,
                generatorSteps, l);
    }

    /**
     * The demo's run: 64 generated shapes over two clients, tiny widths (4, 4), two rounds of two steps at B = 8,
     * z = 1.1, a grid and the quality figure every round: seconds on a CPU, to show the path, not to learn shapes.
     */
    public static RgbSpec demo() {
        return new RgbSpec("shapes", 64, "even:2", 4, 4, 2, 2, 8, 1.0, 1.1, false, 2e-4, 1, false, 1, true);
    }

    /** The federation's options. */
    public DcganFederation.Options options() {
        return options(ngf, ndf, rounds, localSteps, batch, clip, noiseMultiplier, nonPrivate, learningRate, seed,
                reproducible, loss);
    }

    /**
     * The user-level federation's options.
     *
     * @throws IllegalStateException if the run is sample level
     */
    public UserLevelFederation.Options userOptions() {
        if (!userLevel) {
            throw new IllegalStateException("a sample-level run has no user-level options");
        }
        return userOptions(ngf, ndf, rounds, clientsPerRound, localSteps, batch, clip, noiseMultiplier, generatorSteps,
                learningRate, seed, reproducible, nonPrivate, loss);
    }

    private static UserLevelFederation.Options userOptions(int ngf, int ndf, int rounds, int m, int localSteps,
            int batch, double clip, double noiseMultiplier, int generatorSteps, double learningRate, long seed,
            boolean reproducible, boolean nonPrivate, DcganClient.Objective loss) {
        return new UserLevelFederation.Options(new DcganNetworks.Widths(ngf, ndf), rounds, m, localSteps, batch, clip,
                nonPrivate ? 0 : noiseMultiplier, generatorSteps, learningRate, seed, reproducible, nonPrivate, loss);
    }

    /** The server of the run's rounds, sample or user level, for clients of these sizes. */
    public FederationServer server(int[] sizes) {
        return userLevel ? new UserLevelFederation.Server(userOptions(), sizes, delta(sizes))
                : new DcganFederation.Server(options(), sizes, delta(sizes));
    }

    private static DcganFederation.Options options(int ngf, int ndf, int rounds, int localSteps, int batch,
            double clip, double noiseMultiplier, boolean nonPrivate, double learningRate, long seed,
            boolean reproducible, DcganClient.Objective loss) {
        DcganClient.Options client = new DcganClient.Options(clip, nonPrivate ? 0 : noiseMultiplier, batch,
                learningRate, 0.5, seed, reproducible, nonPrivate, loss);
        return new DcganFederation.Options(new DcganNetworks.Widths(ngf, ndf), client, rounds, localSteps, seed);
    }

    /**
     * The images, each with its client: the same wherever loaded (generation and partition use the run's seed).
     *
     * @throws IllegalArgumentException naming what is wrong with the data or the partition
     */
    public ColourImages clientImages() {
        ColourImages d = data.equals("shapes") ? ColourShapes.generate(images, 1, DcganNetworks.SIDE, seed)
                : ImageFolderReader.read(Path.of(data), DcganNetworks.SIDE, images);
        return partition(d);
    }

    /**
     * Each client's number of images, in client order, checked before any work: at least one client (two at user
     * level, and no fewer than m), and each with at least the expected batch (a client's step draws B real and B
     * generated images).
     *
     * @throws IllegalArgumentException naming the first client that is too small
     */
    public int[] checkedSizes(ColourImages clients) {
        int[] sizes = DcganFederation.sizes(clients);
        if (sizes.length == 0) {
            throw new IllegalArgumentException(clients.name() + ": no images, so no client");
        }
        if (userLevel && (sizes.length < 2 || clientsPerRound > sizes.length)) {
            throw new IllegalArgumentException("user level needs at least 2 clients and no more expected clients per "
                    + "round than clients, got " + sizes.length + " clients and m = " + clientsPerRound);
        }
        for (int k = 0; k < sizes.length; k++) {
            if (sizes[k] < batch) {
                throw new IllegalArgumentException("client " + clients.clientIds().get(k) + " has " + sizes[k]
                        + " images, fewer than the expected batch of " + batch);
            }
        }
        return sizes;
    }

    /**
     * δ of the guarantee for clients of these sizes: min(10⁻⁵, n^-1.1), n the smallest client's images at sample level
     * (one image protected), the number of clients at user level (one client protected).
     */
    public double delta(int[] sizes) {
        return PrivacyCalculator.defaultDelta(userLevel ? sizes.length
                : java.util.Arrays.stream(sizes).min().orElseThrow());
    }

    /**
     * The quality figure's classifier, fitted on the run's images with the run's seed; null when the run computes
     * none.
     *
     * @throws IllegalArgumentException if the images have no attributes to learn
     */
    public ColourQuality quality(ColourImages clients) {
        return quality ? ColourQuality.fit(clients, seed) : null;
    }

    /** The figure of {@code generator}'s images for the run's quality latents. */
    public double qualityOf(ColourQuality q, dev.fedgan.core.dpsgd.Network generator) {
        return q.distance(DcganFederation.draw(generator, seed, QUALITY_IMAGES), QUALITY_IMAGES);
    }

    /** Whether round {@code r} draws a grid. */
    public boolean drawsGrid(int r) {
        return r % gridEvery == 0 || r == rounds;
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
                throw new IllegalArgumentException("clients even:K needs a number, got '" + clients + "'");
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
            throw new IllegalArgumentException("clients dirichlet:K:ALPHA:ATTR[,ATTR...] needs a count, an alpha and "
                    + "attributes, got '" + clients + "'");
        }
        throw new IllegalArgumentException("clients takes folder, attribute:NAME, even:K or "
                + "dirichlet:K:ALPHA:ATTR[,ATTR...], got '" + clients + "'");
    }

    public String toJson() {
        return Json.toString(this);
    }

    /**
     * Reads a spec written by {@link #toJson}; the options' own checks run on the way in.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static RgbSpec fromJson(String json) {
        try {
            return Json.MAPPER.readValue(json, RgbSpec.class);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            throw new IllegalArgumentException("not an RGB run: " + cause.getMessage(), e);
        }
    }
}

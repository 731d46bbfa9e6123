package dev.fedgan.bench;

import dev.fedgan.core.io.BuildInfo;
import dev.fedgan.core.dpsgd.Loss;
import dev.fedgan.core.dpsgd.Network;
import dev.fedgan.core.data.ColourImages;
import dev.fedgan.core.data.ColourShapes;
import dev.fedgan.core.gan.rgb.DcganClient;
import dev.fedgan.core.gan.rgb.DcganNetworks;
import dev.fedgan.core.privacy.GaussianNoise;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The RGB DCGAN discriminator's step at batch B, two ways, interleaved round by round so that the machine's drift
 * hits both alike: non-private (the real and the fake terms' plain gradient sums) and DP (both terms clipped per
 * image as {@code DcganClient} clips them, the real term's sum noised from the secure source), the update itself left
 * out (the same for both).
 * Prints the medians and their ratio (the target: DP within 1.6× of non-private at batch 64) and appends them
 * to {@code bench/results/dcgan-step.csv}.
 *
 * <p>With a fourth argument {@code wgan-gp}: the whole critic step of a {@code DcganClient} under WGAN-GP (the
 * paired and the fake generated images, the input-gradient pass, the three-row pass per real image, the fake term,
 * Adam), non-private against DP (each real image's three rows clipped as one, noised, Poisson-sampled), at widths
 * (ndf, ndf), on generated shapes.
 *
 * <p>Usage: {@code bench/run.sh --main dev.fedgan.bench.DcganStepProbe [ndf] [batch] [rounds] [dcgan|wgan-gp]}, e.g.
 * {@code 64 64 7}.
 */
public final class DcganStepProbe {

    public static void main(String[] args) throws IOException {
        int ndf = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        if (args.length > 3 && args[3].equals("wgan-gp")) {
            criticSteps(ndf, batch, rounds);
            return;
        }
        Network d = DcganNetworks.discriminator(new DcganNetworks.Widths(ndf, ndf), 1);
        SplittableRandom r = new SplittableRandom(1);
        float[] px = new float[2 * batch * 3 * 64 * 64];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) (2 * r.nextDouble() - 1);
        }
        INDArray real = Nd4j.create(Arrays.copyOf(px, px.length / 2), new long[] {batch, 3, 64, 64}, 'c');
        INDArray fake = Nd4j.create(Arrays.copyOfRange(px, px.length / 2, px.length), new long[] {batch, 3, 64, 64}, 'c');
        double[] clips = new double[batch];
        Arrays.fill(clips, 1.0);
        GaussianNoise noise = GaussianNoise.secure();
        List<Double> plain = new ArrayList<>();
        List<Double> dp = new ArrayList<>();
        for (int round = 0; round <= rounds; round++) { // round 0 warms up
            long t0 = System.nanoTime();
            d.clearGradient();
            d.addGradient(real, Loss.binaryCrossEntropy(1), null, false);
            d.addGradient(fake, Loss.binaryCrossEntropy(0), null, false);
            d.gradient().toFloatVector();
            long t1 = System.nanoTime();
            d.clearGradient();
            d.addGradient(real, Loss.binaryCrossEntropy(1), clips, false);
            float[] sum = d.gradient().toFloatVector();
            noise.addTo(sum, 1.0);
            d.clearGradient();
            d.addGradient(fake, Loss.binaryCrossEntropy(0), clips, false);
            d.gradient().toFloatVector();
            long t2 = System.nanoTime();
            if (round > 0) {
                plain.add((t1 - t0) / 1e6);
                dp.add((t2 - t1) / 1e6);
            }
        }
        record(ndf, batch, rounds, plain, dp, "");
    }

    /** WGAN-GP critic steps of two clients on the same shapes and networks, non-private and DP, interleaved. */
    private static void criticSteps(int ndf, int batch, int rounds) throws IOException {
        DcganNetworks.Widths w = new DcganNetworks.Widths(ndf, ndf);
        ColourImages shapes = ColourShapes.generate(4 * batch, 1, DcganNetworks.SIDE, 1);
        DcganClient plainClient = new DcganClient(shapes, DcganNetworks.discriminator(w, 1),
                DcganNetworks.generator(w, 2), new DcganClient.Options(1, 0, batch, 2e-4, 0.5, 3, false, true,
                DcganClient.Objective.WGAN_GP));
        DcganClient dpClient = new DcganClient(shapes, DcganNetworks.discriminator(w, 1),
                DcganNetworks.generator(w, 2), new DcganClient.Options(1, 1, batch, 2e-4, 0.5, 3, false, false,
                DcganClient.Objective.WGAN_GP));
        List<Double> plain = new ArrayList<>();
        List<Double> dp = new ArrayList<>();
        for (int round = 0; round <= rounds; round++) { // round 0 warms up
            long t0 = System.nanoTime();
            plainClient.discriminatorStep();
            long t1 = System.nanoTime();
            dpClient.discriminatorStep();
            long t2 = System.nanoTime();
            if (round > 0) {
                plain.add((t1 - t0) / 1e6);
                dp.add((t2 - t1) / 1e6);
            }
        }
        record(ndf, batch, rounds, plain, dp, "WGAN-GP critic steps (DcganClient), Poisson draws of expected B; ");
    }

    private static void record(int ndf, int batch, int rounds, List<Double> plain, List<Double> dp, String what)
            throws IOException {
        double p = DpSgdStepProbe.median(plain);
        double q = DpSgdStepProbe.median(dp);
        System.out.printf(Locale.ROOT, "%sDCGAN discriminator ndf %d, batch %d, %d rounds (medians): non-private %.0f "
                + "ms, DP %.0f ms, DP / non-private %.2fx%n", what, ndf, batch, rounds, p, q, q / p);
        Path csv = Path.of("bench/results/dcgan-step.csv");
        if (!Files.exists(csv)) {
            Files.writeString(csv, "date,recorded_in,ndf,batch,nonprivate_ms,dp_ms,dp_over_nonprivate,note\n");
        }
        Files.writeString(csv, String.format(Locale.ROOT, "%s,%s,%d,%d,%.1f,%.1f,%.2f,\"%s%d interleaved rounds; %s %s\"%n",
                LocalDate.now(), DpSgdStepProbe.commit(), ndf, batch, p, q, q / p, what, rounds, BuildInfo.backend(),
                BuildInfo.dl4jVersion()), StandardOpenOption.APPEND);
    }
}

package dev.fedgan.bench;

import dev.fedgan.core.dpsgd.Activation;
import dev.fedgan.core.dpsgd.Dl4jModels;
import dev.fedgan.core.dpsgd.Network;
import dev.fedgan.core.io.BuildInfo;
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
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One training step of a classifier at batch B, five ways, interleaved round by round so that the machine's drift
 * hits all alike: the engine's ordinary step (sum of gradients, SGD update), its DP-SGD step (per-example norms,
 * clipping, the clipped sum, secure noise, update), DL4J's own {@code fit} of the same model, and per-example
 * clipping by a batch-1 loop (one backward pass per example) through the engine and through DL4J. Prints the medians and their ratios and appends them
 * to {@code bench/results/dpsgd-step.csv}.
 *
 * <p>Usage: {@code bench/run.sh --main dev.fedgan.bench.DpSgdStepProbe [model] [batches] [rounds]}, e.g.
 * {@code tutorial 256,2048 15}.
 */
public final class DpSgdStepProbe {

    private static final long[] IMAGE = {1, 28, 28};

    public static void main(String[] args) throws IOException {
        Dl4jModels.Model model = Dl4jModels.Model.parse(args.length > 0 ? args[0] : "tutorial");
        int[] batches = Arrays.stream((args.length > 1 ? args[1] : "256,2048").split(",")).mapToInt(Integer::parseInt).toArray();
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        for (int batch : batches) {
            run(model, batch, rounds);
        }
    }

    private static void run(Dl4jModels.Model model, int batch, int rounds) throws IOException {
        MultiLayerConfiguration conf = Dl4jModels.configuration(model, 10, Activation.Function.TANH, 1);
        Network net = Network.of(IMAGE, DataType.FLOAT, Dl4jModels.layers(conf, IMAGE), 1);
        MultiLayerNetwork dl4j = new MultiLayerNetwork(conf);
        dl4j.init();
        SplittableRandom r = new SplittableRandom(1);
        float[] px = new float[batch * 784];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) (2 * r.nextDouble() - 1);
        }
        int[] labels = new int[batch];
        float[] onehot = new float[batch * 10];
        for (int i = 0; i < batch; i++) {
            labels[i] = r.nextInt(10);
            onehot[i * 10 + labels[i]] = 1;
        }
        INDArray x = Nd4j.create(px, new long[] {batch, 1, 28, 28}, 'c');
        INDArray y = Nd4j.create(onehot, new long[] {batch, 10}, 'c');
        GaussianNoise noise = GaussianNoise.secure();
        int loopExamples = Math.min(batch, 64);

        Runnable plain = () -> {
            net.clearGradient();
            net.addGradient(x, labels, Double.POSITIVE_INFINITY, false);
            net.params().subi(net.gradient().divi(batch).muli(0.01));
        };
        Runnable dp = () -> {
            net.clearGradient();
            net.addGradient(x, labels, 1.0, false);
            float[] g = net.gradient().toFloatVector();
            noise.addTo(g, 1.0);
            net.params().subi(Nd4j.create(g, net.gradient().shape(), 'c').divi(batch).muli(0.01));
        };
        Runnable fit = () -> dl4j.fit(x, y);
        INDArray[] singles = new INDArray[loopExamples];
        for (int i = 0; i < loopExamples; i++) {
            singles[i] = x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1)).dup();
        }
        INDArray sum = Nd4j.create(DataType.FLOAT, net.gradient().shape());
        Runnable loop = () -> {
            sum.assign(0);
            for (int i = 0; i < loopExamples; i++) {
                net.clearGradient();
                net.addGradient(singles[i], new int[] {labels[i]}, Double.POSITIVE_INFINITY, false);
                double norm = net.gradient().norm2Number().doubleValue();
                sum.addi(net.gradient().muli(Math.min(1, 1.0 / norm)));
            }
        };
        INDArray[] singleTargets = new INDArray[loopExamples];
        for (int i = 0; i < loopExamples; i++) {
            singleTargets[i] = y.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1)).dup();
        }
        INDArray dl4jSum = Nd4j.create(DataType.FLOAT, 1, dl4j.numParams());
        Runnable dl4jLoop = () -> {
            dl4jSum.assign(0);
            for (int i = 0; i < loopExamples; i++) {
                dl4j.setInput(singles[i]);
                dl4j.setLabels(singleTargets[i]);
                dl4j.computeGradientAndScore();
                INDArray g = dl4j.gradient().gradient();
                double norm = g.norm2Number().doubleValue();
                dl4jSum.addi(g.reshape(dl4jSum.shape()).mul(Math.min(1, 1.0 / norm)));
            }
        };
        Runnable[] modes = {plain, dp, fit, loop, dl4jLoop};
        String[] names = {"engine non-private step", "engine DP-SGD step", "DL4J fit step", "batch-1 loop clipping",
            "DL4J batch-1 loop"};
        List<List<Double>> ms = new ArrayList<>();
        for (int m = 0; m < modes.length; m++) {
            ms.add(new ArrayList<>());
            for (int w = 0; w < 3; w++) {
                modes[m].run();
            }
        }
        for (int k = 0; k < rounds; k++) {
            for (int m = 0; m < modes.length; m++) {
                long t = System.nanoTime();
                modes[m].run();
                ms.get(m).add((System.nanoTime() - t) / 1e6);
            }
        }
        double[] med = ms.stream().mapToDouble(DpSgdStepProbe::median).toArray();
        double loopPerBatch = med[3] / loopExamples * batch;
        double dl4jLoopPerBatch = med[4] / loopExamples * batch;
        System.out.printf(Locale.ROOT, "%s CNN, batch %d, %d rounds (medians):%n", model, batch, rounds);
        for (int m = 0; m < 3; m++) {
            System.out.printf(Locale.ROOT, "  %-26s %9.1f ms%n", names[m], med[m]);
        }
        System.out.printf(Locale.ROOT, "  %-26s %9.1f ms (%d examples, %.1f ms for %d)%n", names[3], med[3], loopExamples,
                loopPerBatch, batch);
        System.out.printf(Locale.ROOT, "  %-26s %9.1f ms (%d examples, %.1f ms for %d)%n", names[4], med[4], loopExamples,
                dl4jLoopPerBatch, batch);
        double ratio = med[1] / med[0];
        double vsLoop = loopPerBatch / med[1];
        double vsDl4jLoop = dl4jLoopPerBatch / med[1];
        System.out.printf(Locale.ROOT, "  DP / non-private %.2fx; DP / DL4J fit %.2fx; batch-1 loop / DP %.1fx; DL4J "
                + "batch-1 loop / DP %.1fx%n", ratio, med[1] / med[2], vsLoop, vsDl4jLoop);
        Path csv = Path.of("bench/results/dpsgd-step.csv");
        if (!Files.exists(csv)) {
            Files.writeString(csv, "date,recorded_in,model,batch,nonprivate_ms,dpsgd_ms,dl4j_fit_ms,batch1_loop_ms,"
                    + "dl4j_batch1_loop_ms,dp_over_nonprivate,loop_over_dp,dl4j_loop_over_dp,note\n");
        }
        Files.writeString(csv, String.format(Locale.ROOT, "%s,%s,%s,%d,%.1f,%.1f,%.1f,%.1f,%.1f,%.2f,%.1f,%.1f,\"%d "
                        + "interleaved rounds; %s %s; loops timed on %d examples and scaled\"%n", LocalDate.now(), commit(),
                model.name().toLowerCase(Locale.ROOT), batch, med[0], med[1], med[2], loopPerBatch, dl4jLoopPerBatch,
                ratio, vsLoop, vsDl4jLoop, rounds,
                BuildInfo.backend(), BuildInfo.dl4jVersion(), loopExamples), StandardOpenOption.APPEND);
    }

    static String commit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? out : "unknown";
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }

    /** The median of the timings (the probes' figure: robust to a round the machine stalled in). */
    static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }
}

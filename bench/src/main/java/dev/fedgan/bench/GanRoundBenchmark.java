package dev.fedgan.bench;

import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.gan.FederatedGanTraining;
import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.GanTrainingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One DP-FedAvg-GAN round at the paper's configuration (reference networks, 10 clients, 6 critic steps each,
 * 6 generator steps, batch 32), timed by phase, with the arithmetic it does in GFLOP/s against the machine's
 * {@code Nd4j.gemm} peak measured in the same run. Not JMH: one round takes tens of seconds, and the breakdown
 * needs the phases inside it. Run: {@code bench/gan-round.sh [rounds] [preset]}.
 *
 * <p>Arithmetic counted (2 FLOP per multiply-add, convolutions and dense layers only): per critic step of batch B
 * with WGAN-GP, B·(G + 12·D): G forward on the client, three critic forward passes, the hand-written input
 * gradient (≈ one more), their backward passes (2× each). Per generator step, B·(3·G + 3·D). G and D are the
 * per-example forward costs from {@link GanPreset}.
 */
public final class GanRoundBenchmark {

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        GanPreset preset = args.length > 1 ? GanPreset.named(args[1]) : GanPreset.REFERENCE;
        double peak = gemmPeak();
        System.out.printf(Locale.ROOT, "Nd4j.gemm peak (float, 2048^3, best of 5): %.1f GFLOP/s%n", peak / 1e9);
        GanTrainingConfig config = GanTrainingConfig.REFERENCE.withPreset(preset).withRounds(rounds, 1000);
        // 50 writers of 200 digits: every client has the 6 full batches of 32 the paper's clients have.
        List<WriterData> clients = new ArrayList<>(DatasetLoader.load("bundled",
                new WriterPartition.Options(200, Double.POSITIVE_INFINITY, 0, 10, 1)).writers());
        FederatedGanTraining training = FederatedGanTraining.start(config, clients, null, null);
        double g = preset.generatorForwardFlops();
        double d = preset.criticForwardFlops();
        for (int r = 0; r < rounds + 1; r++) {
            FederatedGanTraining.RoundReport report = training.runRound();
            int criticSteps = report.criticSteps();
            double flops = criticSteps * config.batchSize() * (g + 12 * d)
                    + config.generatorSteps() * config.batchSize() * (3 * g + 3 * d);
            System.out.printf(Locale.ROOT, "%s round %d: %.2f s (clients %.2f s, aggregation %.2f s, generator %.2f s);"
                    + " %d critic steps; %.1f GFLOP → %.2f GFLOP/s = %.1f%% of gemm peak%n",
                    r == 0 ? "warm-up" : "measured", report.round(), report.seconds(), report.clientSeconds(),
                    report.aggregationSeconds(), report.generatorSeconds(), criticSteps, flops / 1e9,
                    flops / report.seconds() / 1e9, 100 * flops / report.seconds() / peak);
        }
    }

    static double gemmPeak() {
        int n = 2048;
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        double best = 0;
        for (int i = 0; i < 6; i++) {
            long t0 = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            double s = (System.nanoTime() - t0) / 1e9;
            if (i > 0) {
                best = Math.max(best, 2.0 * n * n * n / s);
            }
        }
        return best;
    }
}

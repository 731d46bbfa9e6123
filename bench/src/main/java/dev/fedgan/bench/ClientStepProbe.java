package dev.fedgan.bench;

import dev.fedgan.core.gan.ClientTraining;
import dev.fedgan.core.gan.CriticStep;
import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.GeneratorSampler;
import dev.fedgan.core.gan.NetworkWeights;
import dev.fedgan.core.io.BuildInfo;
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
 * A client's critic step ({@link CriticStep}, WGAN-GP) and its generated batch ({@link GeneratorSampler}) at several
 * batch sizes, in turns of a few steps each round: how the cost of a client's step grows with its examples. Where it
 * hardly grows (a small network), a client step is mostly the fixed cost of running the graph, and several clients'
 * steps computed as one would cost about as much as one (what batching clients in client-update would gain).
 * Prints the medians and appends them to {@code bench/results/client-step.csv}.
 *
 * <p>Usage: {@code bench/run.sh --main dev.fedgan.bench.ClientStepProbe [preset] [batches] [rounds]}, e.g.
 * {@code tiny 8,32,64,256 30}.
 */
public final class ClientStepProbe {

    private static final int STEPS_PER_SIZE = 5;

    public static void main(String[] args) throws IOException {
        GanPreset preset = args.length > 0 ? GanPreset.named(args[0]) : GanPreset.TINY;
        int[] batches = Arrays.stream((args.length > 1 ? args[1] : "8,32,64,256").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        GanTrainingConfig config = GanTrainingConfig.CPU_DEMO.withPreset(preset);
        NetworkWeights generator = GanNetworks.generatorLayout(preset);
        NetworkWeights critic = GanNetworks.criticLayout(preset);
        CriticStep step = new CriticStep(preset, config.loss(), config.penaltyWeight(), DataType.FLOAT);
        GeneratorSampler sampler = new GeneratorSampler(preset, true, DataType.FLOAT);
        SplittableRandom rnd = new SplittableRandom(1);
        List<List<Double>> sample = new ArrayList<>();
        List<List<Double>> train = new ArrayList<>();
        for (int b = 0; b < batches.length; b++) {
            sample.add(new ArrayList<>());
            train.add(new ArrayList<>());
        }
        for (int round = 0; round <= rounds; round++) { // round 0 warms up
            for (int b = 0; b < batches.length; b++) {
                int batch = batches[b];
                // A run of steps at one size, as consecutive clients of one size take them; the first is left out
                // (a new size reallocates the step's memory, StepMemory).
                for (int k = 0; k < STEPS_PER_SIZE; k++) {
                    INDArray real = Nd4j.rand(DataType.FLOAT, batch, 1, 28, 28).muli(2).subi(1);
                    INDArray alpha = Nd4j.rand(DataType.FLOAT, batch, 1, 1, 1);
                    long t0 = System.nanoTime();
                    INDArray fake = sampler.sample(generator, ClientTraining.gaussian(rnd, batch, preset.noiseDim()));
                    long t1 = System.nanoTime();
                    step.step(critic.copy(), real, fake, alpha, config.criticLearningRate());
                    long t2 = System.nanoTime();
                    if (round > 0 && k > 0) {
                        sample.get(b).add((t1 - t0) / 1e6);
                        train.get(b).add((t2 - t1) / 1e6);
                    }
                }
            }
        }
        Path csv = Path.of("bench/results/client-step.csv");
        if (!Files.exists(csv)) {
            Files.writeString(csv, "date,recorded_in,preset,batch,generator_sample_ms,critic_step_ms,note\n");
        }
        for (int b = 0; b < batches.length; b++) {
            double s = DpSgdStepProbe.median(sample.get(b));
            double t = DpSgdStepProbe.median(train.get(b));
            System.out.printf(Locale.ROOT, "%s preset, batch %d (medians of %d steps): generated batch %.2f ms, critic"
                    + " step %.2f ms%n", preset.name(), batches[b], sample.get(b).size(), s, t);
            Files.writeString(csv, String.format(Locale.ROOT, "%s,%s,%s,%d,%.2f,%.2f,\"%d rounds of %d steps a size, "
                    + "the first left out; %s %s\"%n", LocalDate.now(), DpSgdStepProbe.commit(), preset.name(),
                    batches[b], s, t, rounds, STEPS_PER_SIZE, BuildInfo.backend(), BuildInfo.dl4jVersion()),
                    StandardOpenOption.APPEND);
        }
    }
}

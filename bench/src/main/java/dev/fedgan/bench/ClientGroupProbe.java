package dev.fedgan.bench;

import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.gan.ClientGroupTraining;
import dev.fedgan.core.gan.ClientTraining;
import dev.fedgan.core.gan.GanNetworks;
import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.GanTrainingConfig;
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

/**
 * Clients' parts of a round trained one at a time ({@link ClientTraining}) against the same clients trained in groups
 * of K ({@link ClientGroupTraining}), in alternating turns of one JVM: the time per client of each, and their ratio.
 * The clients hold {@code examples} random images each; the steps are {@code GanTrainingConfig.CPU_DEMO}'s (3 critic
 * steps of batches of 32) at the chosen preset. Prints the medians and appends them to
 * {@code bench/results/client-group.csv}.
 *
 * <p>Usage: {@code bench/run.sh --main dev.fedgan.bench.ClientGroupProbe [preset] [groups] [examples] [rounds]},
 * e.g. {@code tiny 2,4,8,16 96 10}.
 */
public final class ClientGroupProbe {

    public static void main(String[] args) throws IOException {
        GanPreset preset = args.length > 0 ? GanPreset.named(args[0]) : GanPreset.TINY;
        int[] groups = Arrays.stream((args.length > 1 ? args[1] : "2,4,8,16").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int examples = args.length > 2 ? Integer.parseInt(args[2]) : 96;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        GanTrainingConfig config = GanTrainingConfig.CPU_DEMO.withPreset(preset);
        int clients = Arrays.stream(groups).max().orElseThrow();
        NetworkWeights generator = GanNetworks.initialGenerator(preset, 1);
        NetworkWeights critic = GanNetworks.initialCritic(preset, 2);
        List<String> ids = new ArrayList<>();
        List<WriterData> data = new ArrayList<>();
        long[] seeds = new long[clients];
        SplittableRandom r = new SplittableRandom(3);
        for (int c = 0; c < clients; c++) {
            float[] pixels = new float[examples * WriterData.SIDE * WriterData.SIDE];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) (r.nextDouble() * 2 - 1);
            }
            ids.add("w" + c);
            data.add(new WriterData("w" + c, pixels, new int[examples]));
            seeds[c] = c;
        }
        ClientTraining apart = new ClientTraining(config);
        List<ClientGroupTraining> grouped = Arrays.stream(groups).mapToObj(k -> new ClientGroupTraining(config, k))
                .toList();
        List<Double> apartMs = new ArrayList<>();
        List<List<Double>> groupMs = new ArrayList<>();
        for (int g = 0; g < groups.length; g++) {
            groupMs.add(new ArrayList<>());
        }
        for (int round = 0; round <= rounds; round++) { // round 0 warms up
            long t0 = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                apart.train(ids.get(c), round, generator, critic, data.get(c), seeds[c]);
            }
            if (round > 0) {
                apartMs.add((System.nanoTime() - t0) / 1e6 / clients);
            }
            for (int g = 0; g < groups.length; g++) {
                int k = groups[g];
                long t1 = System.nanoTime();
                for (int from = 0; from + k <= clients; from += k) {
                    grouped.get(g).train(ids.subList(from, from + k), round, generator, critic,
                            data.subList(from, from + k), Arrays.copyOfRange(seeds, from, from + k));
                }
                if (round > 0) {
                    groupMs.get(g).add((System.nanoTime() - t1) / 1e6 / (clients / k * k));
                }
            }
        }
        Path csv = Path.of("bench/results/client-group.csv");
        if (!Files.exists(csv)) {
            Files.writeString(csv, "date,recorded_in,preset,examples,group,apart_ms_per_client,group_ms_per_client,"
                    + "speedup,note\n");
        }
        double a = DpSgdStepProbe.median(apartMs);
        for (int g = 0; g < groups.length; g++) {
            double t = DpSgdStepProbe.median(groupMs.get(g));
            System.out.printf(Locale.ROOT, "%s preset, %d examples a client: apart %.2f ms a client, in groups of %d "
                    + "%.2f ms a client (%.2fx)%n", preset.name(), examples, a, groups[g], t, a / t);
            Files.writeString(csv, String.format(Locale.ROOT, "%s,%s,%s,%d,%d,%.2f,%.2f,%.2f,\"medians of %d rounds of "
                    + "%d clients, %d critic steps of batch %d; %s %s\"%n", LocalDate.now(), DpSgdStepProbe.commit(),
                    preset.name(), examples, groups[g], a, t, a / t, rounds, clients, config.clientSteps(),
                    config.batchSize(), BuildInfo.backend(), BuildInfo.dl4jVersion()), StandardOpenOption.APPEND);
        }
    }
}

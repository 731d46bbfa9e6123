package dev.fedgan.bench;

import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.bug.InversionBug;
import dev.fedgan.core.gan.ClientUpdate;
import dev.fedgan.core.gan.FederatedGanTraining;
import dev.fedgan.core.gan.GanPreset;
import dev.fedgan.core.gan.GanTrainingConfig;
import dev.fedgan.core.gan.SimulatedClients;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The server side of reference-size rounds (DP aggregation of zero deltas, then the generator steps) on the threads a
 * service would use, to see what the calling thread costs SameDiff. Modes: {@code main} (every round on the main
 * thread), {@code one-thread} (every round on the same pool thread, as {@code ComputeThread} does), {@code new-thread}
 * (each round on another pool thread, as Quarkus's worker threads would), {@code local} (clients trained in this JVM
 * too, as {@code FederatedGanTraining.runRound}). Run: {@code bench/run.sh --main dev.fedgan.bench.ComputeThreadProbe
 * MODE [rounds=6]}; results in bench/results/changes.csv.
 */
public final class ComputeThreadProbe {

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "one-thread";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        if (!List.of("main", "one-thread", "new-thread", "local").contains(mode)) {
            throw new IllegalArgumentException("mode must be main, one-thread, new-thread or local, got " + mode);
        }
        GanTrainingConfig config = GanTrainingConfig.REFERENCE.withPreset(GanPreset.REFERENCE).withRounds(rounds, 1000);
        List<String> ids = DatasetLoader.load("bundled:field", WriterPartition.Options.DEFAULT).writers().stream()
                .map(WriterData::id).limit(40).toList();
        boolean local = mode.equals("local");
        FederatedGanTraining training = local
                ? FederatedGanTraining.start(config, ids.stream()
                        .map(id -> SimulatedClients.client("bundled:field", new InversionBug(0.5, 7), id)).toList(), null, null)
                : FederatedGanTraining.startRemote(config, ids, null, null);
        int length = Math.toIntExact(training.critic().length());
        ExecutorService pool = mode.equals("new-thread") ? Executors.newFixedThreadPool(rounds)
                : Executors.newSingleThreadExecutor();
        for (int r = 0; r < rounds; r++) {
            Runnable round = () -> {
                FederatedGanTraining.RoundPlan plan = training.beginRound();
                List<ClientUpdate> updates = new ArrayList<>();
                if (local) {
                    for (int g = 0; g < training.groups(plan); g++) {
                        updates.addAll(training.trainGroup(plan, g));
                    }
                } else {
                    for (int k = 0; k < plan.clients().size(); k++) {
                        updates.add(new ClientUpdate(plan.clients().get(k), plan.round(), new float[length], 40, 2,
                                false, 0));
                    }
                }
                FederatedGanTraining.RoundReport report = training.completeRound(plan, updates);
                System.out.printf(Locale.ROOT, "%s round %d on %s: aggregation %.2f s, generator steps %.2f s%n", mode,
                        report.round(), Thread.currentThread().getName(), report.aggregationSeconds(),
                        report.generatorSeconds());
            };
            if (mode.equals("main") || local) {
                round.run();
            } else {
                pool.submit(round).get();
            }
        }
        pool.shutdown();
    }
}

package dev.fedgan.core.gan;

import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.data.WriterPartition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Several clients' parts of a round computed together ({@link ClientTraining}'s rule for each: the same shuffle, the
 * same noise and interpolation draws from the client's seed, the same steps): each step every client with a full
 * batch left trains in one {@link CriticGroupStep} of the clients' critics as one block network; a client's smaller
 * last batch is a {@link CriticStep} of its own. The deltas equal separate clients' up to float rounding (other
 * matrix shapes sum in another order). Worth it where a critic step is mostly the fixed cost of running the graph:
 * small critics. Not thread-safe: one instance per worker thread.
 *
 * <p>A client's delta depends on its own data alone: the other clients' blocks meet its values only as products with
 * exact zeros. That fails only where a client's critic diverges (0 × ∞ is NaN): when any delta of a group is not
 * finite, each of the group's clients is trained again apart ({@link ClientTraining}), so that one client cannot spoil
 * another's update.
 */
public final class ClientGroupTraining {

    /** Clients trained together where the critic is small. */
    public static final int GROUP = 8;
    /**
     * The largest critic (trainable weights) trained in groups. Measured on 2 cores (ClientGroupProbe): groups of 8
     * take a third of the time per client at the tiny critic (1,767 weights) and half at the private preset's (27,417),
     * although the block network does 8 times the arithmetic of 8 critics; a critic of 837,217 (compact) is
     * arithmetic, not overhead.
     */
    public static final long LARGEST_GROUPED = 100_000;

    private final GanTrainingConfig config;
    private final CriticGroupStep groupStep;
    private final CriticStep singleStep;
    private final ClientTraining apart;
    private final GeneratorSampler generator;

    /** @param clients the most clients trained together */
    public ClientGroupTraining(GanTrainingConfig config, int clients) {
        this.config = config;
        groupStep = new CriticGroupStep(config.preset(), config.loss(), config.penaltyWeight(), clients, DataType.FLOAT);
        singleStep = new CriticStep(config.preset(), config.loss(), config.penaltyWeight(), DataType.FLOAT);
        apart = new ClientTraining(config);
        generator = new GeneratorSampler(config.preset(), true, DataType.FLOAT);
    }

    /** How many clients a run trains together at this preset: {@link #GROUP} for a small critic, else 1. */
    public static int groupSize(GanPreset preset) {
        return preset.criticTrainable() <= LARGEST_GROUPED ? GROUP : 1;
    }

    /** The most clients trained together. */
    public int clients() {
        return groupStep.blocks().clients();
    }

    /**
     * Trains a copy of {@code broadcastCritic} on each client's data and returns the deltas, in the clients' order:
     * what {@link ClientTraining#train} returns for each.
     *
     * @throws IllegalArgumentException if there are more clients than {@link #clients}, the lists differ in length, or
     *                                  a client has fewer than {@link ClientTraining#MIN_EXAMPLES} examples
     */
    public List<ClientUpdate> train(List<String> clientIds, int round, NetworkWeights broadcastGenerator,
            NetworkWeights broadcastCritic, List<WriterData> data, long[] seeds) {
        int n = clientIds.size();
        if (n > clients() || data.size() != n || seeds.length != n) {
            throw new IllegalArgumentException("a group of at most " + clients() + " clients needs an id, data and a "
                    + "seed each, got " + n + ", " + data.size() + " and " + seeds.length);
        }
        int batch = config.batchSize();
        int[][] orders = new int[n][];
        SplittableRandom[] rnd = new SplittableRandom[n];
        int[] steps = new int[n];
        int[] fullSteps = new int[n];
        int mostFull = 0;
        for (int c = 0; c < n; c++) {
            WriterData d = data.get(c);
            if (d.size() < ClientTraining.MIN_EXAMPLES) {
                throw new IllegalArgumentException("client " + clientIds.get(c) + " has " + d.size()
                        + " examples; a critic step needs at least " + ClientTraining.MIN_EXAMPLES);
            }
            orders[c] = WriterPartition.permutation(d.size(), new SplittableRandom(ClientTraining.SHUFFLE_SEED));
            rnd[c] = new SplittableRandom(seeds[c]);
            steps[c] = ClientTraining.steps(config, d.size());
            fullSteps[c] = Math.min(steps[c], d.size() / batch);
            mostFull = Math.max(mostFull, fullSteps[c]);
        }
        CriticBlocks blocks = groupStep.blocks();
        NetworkWeights block = blocks.repeat(broadcastCritic);
        double[] loss = new double[n];
        Arrays.fill(loss, Double.NaN);
        int slots = clients();
        int side = WriterData.SIDE;
        for (int s = 0; s < mostFull; s++) {
            INDArray real = Nd4j.zeros(DataType.FLOAT, batch, slots, side, side);
            INDArray fake = Nd4j.zeros(DataType.FLOAT, batch, slots, side, side);
            INDArray alpha = Nd4j.zeros(DataType.FLOAT, batch, slots, 1, 1);
            long active = 0;
            for (int c = 0; c < n; c++) {
                if (s >= fullSteps[c]) {
                    continue;
                }
                active |= 1L << c;
                int from = s * batch;
                channel(real, c).assign(ClientTraining.images(data.get(c), Arrays.copyOfRange(orders[c], from,
                        from + batch)));
                channel(fake, c).assign(generator.sample(broadcastGenerator, ClientTraining.gaussian(rnd[c], batch,
                        config.preset().noiseDim())));
                channel(alpha, c).assign(ClientTraining.uniform(rnd[c], batch));
            }
            double[] l = groupStep.step(block, real, fake, alpha, active, config.criticLearningRate());
            for (int c = 0; c < n; c++) {
                if ((active >> c & 1) != 0) {
                    loss[c] = l[c];
                }
            }
        }
        List<ClientUpdate> updates = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            NetworkWeights critic = blocks.extract(block, c);
            WriterData d = data.get(c);
            int used = fullSteps[c] * batch;
            for (int s = fullSteps[c]; s < steps[c]; s++) { // the smaller last batch, alone
                int size = Math.min(batch, d.size() - s * batch);
                INDArray real = ClientTraining.images(d, Arrays.copyOfRange(orders[c], s * batch, s * batch + size));
                INDArray fake = generator.sample(broadcastGenerator, ClientTraining.gaussian(rnd[c], batch,
                        config.preset().noiseDim())).get(NDArrayIndex.interval(0, size)).dup();
                loss[c] = singleStep.step(critic, real, fake, ClientTraining.uniform(rnd[c], size),
                        config.criticLearningRate()).loss();
                used += size;
            }
            updates.add(ClientTraining.update(clientIds.get(c), round, critic, broadcastCritic, used, steps[c],
                    loss[c]));
        }
        if (n > 1 && updates.stream().anyMatch(ClientUpdate::nonFinite)) {
            updates.clear();
            for (int c = 0; c < n; c++) {
                updates.add(apart.train(clientIds.get(c), round, broadcastGenerator, broadcastCritic, data.get(c),
                        seeds[c]));
            }
        }
        return updates;
    }

    /** Client {@code c}'s channel of a block batch, as a view {@code [B, 1, H, W]}. */
    private static INDArray channel(INDArray blockBatch, int c) {
        return blockBatch.get(NDArrayIndex.all(), NDArrayIndex.interval(c, c + 1), NDArrayIndex.all(),
                NDArrayIndex.all());
    }
}

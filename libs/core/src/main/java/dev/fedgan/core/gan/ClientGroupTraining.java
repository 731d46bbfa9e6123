package dev.fedgan.core.gan;

import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.data.WriterPartition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Several clients' parts of a round computed together ({@link ClientTraining}'s rule for each: the same shuffle, the
 * same noise and interpolation draws from the client's seed, the same steps): at each step the clients whose batches
 * have one size (full batches, or equally small last ones) train in one {@link CriticGroupStep} of their critics as
 * one block network, and a client alone at its size takes a {@link CriticStep} of its own. The deltas equal separate clients' up to float rounding (other
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
    private final int clients;
    /** The block network's step; null where one client trains at a time. */
    private final CriticGroupStep groupStep;
    /** Each client alone: where the group size is 1, and after a divergence (made when first needed). */
    private ClientTraining apart;
    /** A client alone at its batch size: its own step. */
    private final CriticStep singleStep;
    private final GeneratorSampler generator;

    /** The clients a run trains together at the config's preset ({@link #groupSize}), one at a time for a large critic. */
    public ClientGroupTraining(GanTrainingConfig config) {
        this(config, groupSize(config.preset()));
    }

    /** @param clients the most clients trained together (1: each apart, {@link ClientTraining}) */
    public ClientGroupTraining(GanTrainingConfig config, int clients) {
        this.config = config;
        this.clients = clients;
        groupStep = clients == 1 ? null
                : new CriticGroupStep(config.preset(), config.loss(), config.penaltyWeight(), clients, DataType.FLOAT);
        singleStep = clients == 1 ? null
                : new CriticStep(config.preset(), config.loss(), config.penaltyWeight(), DataType.FLOAT);
        generator = clients == 1 ? null : new GeneratorSampler(config.preset(), true, DataType.FLOAT);
    }

    /** How many clients a run trains together at this preset: {@link #GROUP} for a small critic, else 1. */
    public static int groupSize(GanPreset preset) {
        return preset.criticTrainable() <= LARGEST_GROUPED ? GROUP : 1;
    }

    /** The most clients trained together. */
    public int clients() {
        return clients;
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
        if (groupStep == null) {
            return List.of(apart().train(clientIds.get(0), round, broadcastGenerator, broadcastCritic, data.get(0),
                    seeds[0]));
        }
        int batch = config.batchSize();
        int[][] orders = new int[n][];
        SplittableRandom[] rnd = new SplittableRandom[n];
        int[] steps = new int[n];
        int[] used = new int[n];
        int most = 0;
        for (int c = 0; c < n; c++) {
            WriterData d = data.get(c);
            if (d.size() < ClientTraining.MIN_EXAMPLES) {
                throw new IllegalArgumentException("client " + clientIds.get(c) + " has " + d.size()
                        + " examples; a critic step needs at least " + ClientTraining.MIN_EXAMPLES);
            }
            orders[c] = WriterPartition.permutation(d.size(), new SplittableRandom(ClientTraining.SHUFFLE_SEED));
            rnd[c] = new SplittableRandom(seeds[c]);
            steps[c] = ClientTraining.steps(config, d.size());
            most = Math.max(most, steps[c]);
        }
        CriticBlocks blocks = groupStep.blocks();
        NetworkWeights block = blocks.repeat(broadcastCritic);
        double[] loss = new double[n];
        Arrays.fill(loss, Double.NaN);
        for (int s = 0; s < most; s++) {
            // The clients taking step s, by the size of their batch (a smaller last batch): one block step per size.
            TreeMap<Integer, List<Integer>> bySize = new TreeMap<>();
            for (int c = 0; c < n; c++) {
                if (s < steps[c]) {
                    bySize.computeIfAbsent(Math.min(batch, data.get(c).size() - s * batch), b -> new ArrayList<>())
                            .add(c);
                }
            }
            for (var e : bySize.entrySet()) {
                int size = e.getKey();
                if (e.getValue().size() == 1) { // alone at this size: a step of its own costs less than a block's
                    int c = e.getValue().get(0);
                    NetworkWeights critic = blocks.extract(block, c);
                    int from = s * batch;
                    INDArray real = ClientTraining.images(data.get(c), Arrays.copyOfRange(orders[c], from,
                            from + size));
                    INDArray fake = generated(broadcastGenerator, rnd[c], size);
                    loss[c] = singleStep.step(critic, real, fake, ClientTraining.uniform(rnd[c], size),
                            config.criticLearningRate()).loss();
                    blocks.place(block, critic, c);
                    used[c] += size;
                    continue;
                }
                long active = 0;
                INDArray real = Nd4j.zeros(DataType.FLOAT, size, clients(), WriterData.SIDE, WriterData.SIDE);
                INDArray fake = Nd4j.zeros(DataType.FLOAT, size, clients(), WriterData.SIDE, WriterData.SIDE);
                INDArray alpha = Nd4j.zeros(DataType.FLOAT, size, clients(), 1, 1);
                for (int c : e.getValue()) {
                    active |= 1L << c;
                    int from = s * batch;
                    channel(real, c).assign(ClientTraining.images(data.get(c), Arrays.copyOfRange(orders[c], from,
                            from + size)));
                    channel(fake, c).assign(generated(broadcastGenerator, rnd[c], size));
                    channel(alpha, c).assign(ClientTraining.uniform(rnd[c], size));
                    used[c] += size;
                }
                double[] l = groupStep.step(block, real, fake, alpha, active, config.criticLearningRate());
                for (int c : e.getValue()) {
                    loss[c] = l[c];
                }
            }
        }
        List<ClientUpdate> updates = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            updates.add(ClientTraining.update(clientIds.get(c), round, blocks.extract(block, c), broadcastCritic,
                    used[c], steps[c], loss[c]));
        }
        if (n > 1 && updates.stream().anyMatch(ClientUpdate::nonFinite)) {
            updates.clear();
            for (int c = 0; c < n; c++) {
                updates.add(apart().train(clientIds.get(c), round, broadcastGenerator, broadcastCritic, data.get(c),
                        seeds[c]));
            }
        }
        return updates;
    }

    private ClientTraining apart() {
        if (apart == null) {
            apart = new ClientTraining(config);
        }
        return apart;
    }

    /** B generated images from the client's stream, the first {@code size} of them: as ClientTraining draws them. */
    private INDArray generated(NetworkWeights broadcastGenerator, SplittableRandom rnd, int size) {
        INDArray images = generator.sample(broadcastGenerator, ClientTraining.gaussian(rnd, config.batchSize(),
                config.preset().noiseDim()));
        return size == config.batchSize() ? images : images.get(NDArrayIndex.interval(0, size)).dup();
    }

    /** Client {@code c}'s channel of a block batch, as a view {@code [B, 1, H, W]}. */
    private static INDArray channel(INDArray blockBatch, int c) {
        return blockBatch.get(NDArrayIndex.all(), NDArrayIndex.interval(c, c + 1), NDArrayIndex.all(),
                NDArrayIndex.all());
    }
}

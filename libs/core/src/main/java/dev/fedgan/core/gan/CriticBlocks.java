package dev.fedgan.core.gan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Several clients' critics as one network of block-diagonal kernels: client k's critic occupies the k-th block of
 * every tensor, and nothing connects two blocks. The block network takes client k's images as input channel k and
 * gives client k's score as output k, so one pass computes every client's critic on its own batch, and the gradient of
 * the sum of the clients' losses is, block by block, each client's own gradient.
 *
 * <p>Layout rule: a dimension of size n of a client's tensor is a dimension of size K·n of the block tensor, client k
 * at offset k·n; only the kernels' spatial dimensions (the first two of a convolution kernel) are shared. Batch-norm
 * features are per column, so each client's statistics stay its own.
 */
final class CriticBlocks {

    private final GanPreset preset;
    private final int clients;
    private final NetworkWeights layout;
    /** Per tensor, the union of the blocks of the clients in a set (keyed by the set's bits). */
    private final Map<Long, Map<String, INDArray>> masks = new HashMap<>();

    CriticBlocks(GanPreset preset, int clients) {
        if (clients < 1 || clients > 64) {
            throw new IllegalArgumentException("a block of critics holds 1 to 64 clients, got " + clients);
        }
        this.preset = preset;
        this.clients = clients;
        NetworkWeights single = GanNetworks.criticLayout(preset);
        NetworkWeights.Builder b = new NetworkWeights.Builder();
        for (String name : single.names()) {
            long[] shape = blockShape(single.get(name).shape());
            INDArray zeros = Nd4j.zeros(single.get(name).dataType(), shape);
            if (single.trainable().contains(name)) {
                b.trainable(name, zeros);
            } else {
                b.statistic(name, zeros);
            }
        }
        this.layout = b.build();
    }

    int clients() {
        return clients;
    }

    /** The widths of the block network: every critic width times the clients (its graph is the critic's). */
    GanPreset blockPreset() {
        return new GanPreset(preset.name() + "-x" + clients, preset.noiseDim(), preset.generatorDense(),
                preset.generatorChannels(), preset.generatorDeconv1(), preset.generatorDeconv2(),
                preset.criticConv1() * clients, preset.criticConv2() * clients, preset.criticDense() * clients,
                preset.criticBatchNorm());
    }

    /** Zero block tensors, to declare the graph's variables from. */
    NetworkWeights layout() {
        return layout;
    }

    /** A block network with {@code critic} in every block. */
    NetworkWeights repeat(NetworkWeights critic) {
        NetworkWeights block = layout.copy();
        for (int k = 0; k < clients; k++) {
            place(block, critic, k);
        }
        return block;
    }

    /** Writes {@code critic} into client {@code k}'s block of {@code block}. */
    void place(NetworkWeights block, NetworkWeights critic, int k) {
        for (String name : block.names()) {
            block.get(name).get(indices(critic.get(name).shape(), k)).assign(critic.get(name));
        }
    }

    /** Client {@code k}'s critic, copied out of {@code block}. */
    NetworkWeights extract(NetworkWeights block, int k) {
        NetworkWeights critic = GanNetworks.criticLayout(preset);
        for (String name : critic.names()) {
            critic.get(name).assign(view(block, name, k));
        }
        return critic;
    }

    /** Client {@code k}'s part of the block tensor {@code name}, as a view. */
    INDArray view(NetworkWeights block, String name, int k) {
        long[] shape = singleShape(block.get(name).shape());
        return block.get(name).get(indices(shape, k));
    }

    /** Client {@code k}'s part of a per-feature vector of the block network (batch statistics), a view. */
    INDArray slice(INDArray blockVector, int k) {
        long n = blockVector.length() / clients;
        return blockVector.reshape(-1).get(NDArrayIndex.interval(k * n, (k + 1) * n));
    }

    /** Per tensor, 1 inside the blocks of the clients whose bits {@code active} sets, 0 elsewhere. */
    Map<String, INDArray> mask(long active) {
        return masks.computeIfAbsent(active, a -> {
            Map<String, INDArray> m = new HashMap<>();
            for (String name : layout.names()) {
                INDArray t = Nd4j.zeros(layout.get(name).dataType(), layout.get(name).shape());
                long[] shape = singleShape(t.shape());
                for (int k = 0; k < clients; k++) {
                    if ((a >> k & 1) != 0) {
                        t.get(indices(shape, k)).assign(1);
                    }
                }
                m.put(name, t);
            }
            return m;
        });
    }

    private long[] blockShape(long[] single) {
        long[] s = single.clone();
        for (int d = s.length == 4 ? 2 : 0; d < s.length; d++) {
            s[d] *= clients;
        }
        return s;
    }

    private long[] singleShape(long[] block) {
        long[] s = block.clone();
        for (int d = s.length == 4 ? 2 : 0; d < s.length; d++) {
            s[d] /= clients;
        }
        return s;
    }

    private static INDArrayIndex[] indices(long[] single, int k) {
        List<INDArrayIndex> idx = new ArrayList<>();
        for (int d = 0; d < single.length; d++) {
            boolean shared = single.length == 4 && d < 2;
            idx.add(shared ? NDArrayIndex.all() : NDArrayIndex.interval(k * single[d], (k + 1) * single[d]));
        }
        return idx.toArray(new INDArrayIndex[0]);
    }
}

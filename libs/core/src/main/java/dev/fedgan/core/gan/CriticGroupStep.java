package dev.fedgan.core.gan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One {@link CriticStep} of each of several clients' critics at once, on a {@link CriticBlocks block network}: client
 * k's real, generated and interpolated batches are input channel k, each client's loss is its critic's loss on its own
 * batches (batch norm per client: its features are its own columns), and the step differentiates the sum of the
 * active clients' losses, which block by block is each client's own gradient. The update is masked to the active
 * clients' blocks, so an inactive client (no full batch this step) is left as it was. What it saves is the fixed cost
 * of running a graph: a small critic's step is mostly that, the same whether the graph holds one client or several.
 *
 * <p>Every active client's batches have the same size (the batch-norm statistics are over the whole batch): clients
 * with batches of another size take a step of their own. Not bit-identical to separate steps (other matrix shapes sum
 * in another order), so a run groups clients the same way wherever it runs.
 */
final class CriticGroupStep {

    private static final String[] PASSES = {"fake", "real", "interpolates"};

    private final CriticBlocks blocks;
    private final SameDiff sd = GanNetworks.graph();
    private final Map<String, INDArray> scratch = new HashMap<>();
    private final StepMemory memory = new StepMemory();
    private final GanLoss loss;
    private final List<String> trainable;
    private final List<GanNetworks.BatchStats> stats = new ArrayList<>();

    CriticGroupStep(GanPreset preset, GanLoss loss, double penaltyWeight, int clients, DataType type) {
        this.loss = loss;
        this.blocks = new CriticBlocks(preset, clients);
        trainable = blocks.layout().trainable();
        GanNetworks.declare(sd, blocks.layout(), type);
        SDVariable real = sd.placeHolder("real", type, -1, clients, 28, 28);
        SDVariable fake = sd.placeHolder("fake", type, -1, clients, 28, 28);
        SDVariable active = sd.placeHolder("active", type, clients);
        boolean gp = loss == GanLoss.WASSERSTEIN_GP;
        SDVariable alpha = gp ? sd.placeHolder("alpha", type, -1, clients, 1, 1) : null;
        List<SDVariable> batches = gp ? List.of(fake, real, real.add(alpha.mul(fake.sub(real)))) : List.of(fake, real);
        GanPreset wide = blocks.blockPreset();
        List<GanNetworks.CriticPass> passes = GanNetworks.critic(sd, wide, batches, stats);
        SDVariable onFake = passes.get(0).score(); // [B, K]
        SDVariable onReal = passes.get(1).score();
        SDVariable perClient;
        if (gp) {
            SDVariable g = GanNetworks.criticInputGradient(sd, wide, passes.get(2)); // [B, K, 28, 28]
            SDVariable norm = sd.math.sqrt(sd.math.square(g).sum(2, 3).add(1e-10));
            SDVariable penalty = sd.math.square(norm.sub(1.0)).mean(0);
            perClient = onFake.mean(0).sub(onReal.mean(0)).add(penalty.mul(penaltyWeight));
        } else {
            perClient = sd.nn.softplus(onReal.neg()).mean(0).add(sd.nn.softplus(onFake).mean(0));
        }
        perClient.rename("client_losses");
        sd.setLossVariables(perClient.mul(active).sum().rename("adversarial"));
        for (int i = 0; i < stats.size(); i++) {
            stats.get(i).mean().rename("stats_" + PASSES[i] + "_mean");
            stats.get(i).variance().rename("stats_" + PASSES[i] + "_var");
        }
        GanNetworks.createGradients(sd);
    }

    CriticBlocks blocks() {
        return blocks;
    }

    /**
     * One SGD step of the active clients' critics in {@code block}, in place: their weights by −lr·gradient (weight
     * decay included), then their batch-norm moving statistics by each pass in turn; returns each client's loss before
     * the update (weight decay included), NaN for an inactive client.
     *
     * @param real   {@code [B, K, 28, 28]}, client k's images in channel k (anything for an inactive client)
     * @param active bit k set: client k takes this step
     */
    double[] step(NetworkWeights block, INDArray real, INDArray fake, INDArray alpha, long active,
                  double learningRate) {
        int k = blocks.clients();
        float[] on = new float[k];
        for (int c = 0; c < k; c++) {
            on[c] = (active >> c & 1) != 0 ? 1f : 0f;
        }
        GanNetworks.bind(sd, block);
        StepMemory.use(sd, memory);
        Map<String, INDArray> ph = new HashMap<>();
        ph.put("real", real);
        ph.put("fake", fake);
        ph.put("active", org.nd4j.linalg.factory.Nd4j.createFromArray(on).castTo(real.dataType()));
        if (loss == GanLoss.WASSERSTEIN_GP) {
            ph.put("alpha", alpha);
        }
        List<String> outputs = new ArrayList<>(List.of("client_losses"));
        for (int i = 0; i < stats.size(); i++) {
            outputs.add("stats_" + PASSES[i] + "_mean");
            outputs.add("stats_" + PASSES[i] + "_var");
        }
        OutAndGrad r = sd.calculateGradientsAndOutputs(ph, outputs, trainable);
        double[] losses = r.getOutputs().get("client_losses").toDoubleVector();
        for (int c = 0; c < k; c++) {
            losses[c] = on[c] == 0 ? Double.NaN : losses[c] + regularisation(block, c);
        }
        Map<String, INDArray> grads = r.getGradients();
        GanNetworks.addRegularisationGradient(grads, block, true, scratch);
        Map<String, INDArray> mask = blocks.mask(active);
        for (String name : trainable) {
            block.get(name).subi(grads.get(name).muli(mask.get(name)).muli(learningRate));
        }
        for (int i = 0; i < stats.size(); i++) {
            INDArray mean = r.getOutputs().get("stats_" + PASSES[i] + "_mean");
            INDArray var = r.getOutputs().get("stats_" + PASSES[i] + "_var");
            for (int c = 0; c < k; c++) {
                if (on[c] != 0) {
                    GanStatistics.move(blocks.view(block, GanNetworks.CRITIC_BN + "_mean", c),
                            blocks.view(block, GanNetworks.CRITIC_BN + "_var", c), blocks.slice(mean, c),
                            blocks.slice(var, c));
                }
            }
        }
        memory.recycle();
        return losses;
    }

    /** Client {@code c}'s weight-decay term L2·Σw² over its regularised tensors. */
    private double regularisation(NetworkWeights block, int c) {
        double sum = 0;
        for (String name : GanNetworks.CRITIC_REGULARISED) {
            INDArray w = blocks.view(block, name, c);
            sum += w.mul(w).sumNumber().doubleValue();
        }
        return GanNetworks.L2 * sum;
    }
}

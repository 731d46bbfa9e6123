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
 * One optimisation step of the critic (reference section 3, run on clients, section 4.3): the critic runs three
 * times in training mode, on the generated batch, the real batch and the interpolates, each pass with its own
 * batch statistics and each moving the batch-norm statistics; then plain SGD on the trainable weights.
 *
 * <p>WGAN-GP loss: mean D(G(z)) − mean D(x) + λ·mean(‖∂D(x̂)/∂x̂‖ − 1)² + 1.25e-5·Σw², with x̂ = x + α(G(z) − x),
 * α ~ U[0,1) per example and ‖g‖ = sqrt(Σg² + 1e-10). The penalty's gradient with respect to the weights goes
 * through {@link GanNetworks#criticInputGradient}.
 */
public final class CriticStep {

    private static final String[] PASSES = {"fake", "real", "interpolates"};

    private final SameDiff sd = GanNetworks.graph();
    /** Buffers for the weight-decay gradient terms, kept between steps. */
    private final Map<String, INDArray> scratch = new HashMap<>();
    /** The gradient pass's arrays, kept from step to step. */
    final StepMemory memory = new StepMemory();
    private final GanLoss loss;
    private final List<String> trainable;
    private final List<GanNetworks.BatchStats> stats = new ArrayList<>();

    /** What one step computed, before the update. */
    public record Losses(double loss, double wasserstein, double penalty, double regularisation, double meanReal,
            double meanFake) {
    }

    public CriticStep(GanPreset preset, GanLoss loss, double penaltyWeight, DataType type) {
        this.loss = loss;
        NetworkWeights template = GanNetworks.criticLayout(preset);
        trainable = template.trainable();
        GanNetworks.declare(sd, template, type);
        SDVariable real = sd.placeHolder("real", type, -1, 1, 28, 28);
        SDVariable fake = sd.placeHolder("fake", type, -1, 1, 28, 28);
        boolean gp = loss == GanLoss.WASSERSTEIN_GP;
        SDVariable alpha = gp ? sd.placeHolder("alpha", type, -1, 1, 1, 1) : null;
        List<SDVariable> batches = gp ? List.of(fake, real, real.add(alpha.mul(fake.sub(real)))) : List.of(fake, real);
        List<GanNetworks.CriticPass> passes = GanNetworks.critic(sd, preset, batches, stats);
        GanNetworks.CriticPass onFake = passes.get(0);
        GanNetworks.CriticPass onReal = passes.get(1);
        SDVariable meanFake = onFake.score().mean().rename("mean_fake");
        SDVariable meanReal = onReal.score().mean().rename("mean_real");
        SDVariable reg = GanNetworks.criticRegularisation(sd).rename("regularisation");
        SDVariable adversarial;
        if (gp) {
            SDVariable g = GanNetworks.criticInputGradient(sd, preset, passes.get(2)).rename("input_gradient");
            SDVariable norm = sd.math.sqrt(sd.math.square(g).sum(1, 2, 3).add(1e-10));
            SDVariable penalty = sd.math.square(norm.sub(1.0)).mean().rename("penalty");
            SDVariable wasserstein = meanFake.sub(meanReal).rename("wasserstein");
            adversarial = wasserstein.add(penalty.mul(penaltyWeight));
        } else {
            adversarial = sd.nn.softplus(onReal.score().neg()).mean().add(sd.nn.softplus(onFake.score()).mean());
        }
        // Differentiated without the weight decay (added analytically), reported with it.
        sd.setLossVariables(adversarial.rename("adversarial"));
        adversarial.add(reg).rename("loss");
        for (int i = 0; i < stats.size(); i++) {
            stats.get(i).mean().rename("stats_" + PASSES[i] + "_mean");
            stats.get(i).variance().rename("stats_" + PASSES[i] + "_var");
        }
        GanNetworks.createGradients(sd);
    }

    /**
     * One SGD step on {@code critic} in place: trainable weights by −lr·gradient, then the batch-norm moving
     * statistics by each pass in turn (generated, real, interpolates). Batches must have equal size.
     */
    public Losses step(NetworkWeights critic, INDArray real, INDArray fake, INDArray alpha, double learningRate) {
        OutAndGrad r = run(critic, real, fake, alpha);
        Map<String, INDArray> grads = r.getGradients();
        for (String name : trainable) {
            critic.get(name).subi(grads.get(name).muli(learningRate)); // the gradient is ours: scaled in place
        }
        for (int i = 0; i < stats.size(); i++) {
            GanStatistics.move(critic, GanNetworks.CRITIC_BN, r.getOutputs().get("stats_" + PASSES[i] + "_mean"),
                    r.getOutputs().get("stats_" + PASSES[i] + "_var"));
        }
        Losses losses = losses(r.getOutputs());
        memory.recycle();
        return losses;
    }

    /** Gradients of the critic loss with respect to every trainable weight (no update). */
    public Map<String, INDArray> gradients(NetworkWeights critic, INDArray real, INDArray fake, INDArray alpha) {
        return GanNetworks.keep(run(critic, real, fake, alpha).getGradients(), memory);
    }

    /** Forward only: the named outputs ("loss", "penalty", "wasserstein", "input_gradient", ...). */
    public Map<String, INDArray> evaluate(NetworkWeights critic, INDArray real, INDArray fake, INDArray alpha, String... outputs) {
        GanNetworks.bind(sd, critic);
        return sd.output(placeholders(real, fake, alpha), outputs);
    }

    private OutAndGrad run(NetworkWeights critic, INDArray real, INDArray fake, INDArray alpha) {
        if (real.size(0) != fake.size(0)) {
            throw new IllegalArgumentException("real and generated batches must have equal size, got "
                    + real.size(0) + " and " + fake.size(0));
        }
        GanNetworks.bind(sd, critic);
        StepMemory.use(sd, memory);
        List<String> outputs = new ArrayList<>(List.of("loss", "regularisation", "mean_real", "mean_fake"));
        if (loss == GanLoss.WASSERSTEIN_GP) {
            outputs.addAll(List.of("wasserstein", "penalty"));
        }
        for (int i = 0; i < stats.size(); i++) {
            outputs.add("stats_" + PASSES[i] + "_mean");
            outputs.add("stats_" + PASSES[i] + "_var");
        }
        OutAndGrad r = sd.calculateGradientsAndOutputs(placeholders(real, fake, alpha), outputs, trainable);
        GanNetworks.addRegularisationGradient(r.getGradients(), critic, true, scratch);
        return r;
    }

    private Map<String, INDArray> placeholders(INDArray real, INDArray fake, INDArray alpha) {
        Map<String, INDArray> ph = new HashMap<>();
        ph.put("real", real);
        ph.put("fake", fake);
        if (loss == GanLoss.WASSERSTEIN_GP) {
            ph.put("alpha", alpha);
        }
        return ph;
    }

    private Losses losses(Map<String, INDArray> out) {
        boolean gp = loss == GanLoss.WASSERSTEIN_GP;
        return new Losses(out.get("loss").getDouble(0), gp ? out.get("wasserstein").getDouble(0) : Double.NaN,
                gp ? out.get("penalty").getDouble(0) : 0, out.get("regularisation").getDouble(0),
                out.get("mean_real").getDouble(0), out.get("mean_fake").getDouble(0));
    }
}

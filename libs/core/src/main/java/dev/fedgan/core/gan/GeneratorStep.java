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
 * One generator step on the server (reference section 3, 4.5): a fresh noise batch, G and D both in training
 * mode, loss −mean D(G(z)) + 1.25e-5·Σw² (WGAN) or mean softplus(−D(G(z))) (non-saturating), plain SGD on the
 * generator's trainable weights. The batch statistics move the moving statistics of both networks (the critic's
 * too, as in the reference, where D runs in training mode on the server).
 */
public final class GeneratorStep {

    private final SameDiff sd = GanNetworks.graph();
    /** Buffers for the weight-decay gradient terms, kept between steps. */
    private final Map<String, INDArray> scratch = new HashMap<>();
    /** The gradient pass's arrays, kept from step to step. */
    final StepMemory memory = new StepMemory();
    private final List<String> trainable;
    private final List<GanNetworks.BatchStats> stats = new ArrayList<>();
    private final List<String> outputs = new ArrayList<>(List.of("loss"));

    public GeneratorStep(GanPreset preset, GanLoss loss, DataType type) {
        NetworkWeights generator = GanNetworks.generatorLayout(preset);
        trainable = generator.trainable();
        GanNetworks.declare(sd, generator, type);
        GanNetworks.declare(sd, GanNetworks.criticLayout(preset), type);
        SDVariable z = sd.placeHolder("noise", type, -1, preset.noiseDim());
        SDVariable images = GanNetworks.generator(sd, preset, z, true, stats);
        SDVariable score = GanNetworks.critic(sd, preset, images, stats).score();
        SDVariable adversarial = loss == GanLoss.WASSERSTEIN_GP ? score.mean().neg() : sd.nn.softplus(score.neg()).mean();
        // Differentiated without the weight decay (added analytically), reported with it.
        sd.setLossVariables(adversarial.rename("adversarial"));
        adversarial.add(GanNetworks.generatorRegularisation(sd)).rename("loss");
        for (GanNetworks.BatchStats s : stats) {
            outputs.add(s.mean().rename("stats_" + s.layer() + "_mean").name());
            outputs.add(s.variance().rename("stats_" + s.layer() + "_var").name());
        }
        GanNetworks.createGradients(sd);
    }

    /** One SGD step on {@code generator} in place; returns the generator loss before the step. */
    public double step(NetworkWeights generator, NetworkWeights critic, INDArray noise, double learningRate) {
        OutAndGrad r = run(generator, critic, noise);
        for (String name : trainable) {
            generator.get(name).subi(r.getGradients().get(name).muli(learningRate)); // the gradient is ours: scaled in place
        }
        Map<String, INDArray> out = r.getOutputs();
        for (GanNetworks.BatchStats s : stats) {
            NetworkWeights owner = s.layer().startsWith("g_") ? generator : critic;
            GanStatistics.move(owner, s.layer(), out.get("stats_" + s.layer() + "_mean"), out.get("stats_" + s.layer() + "_var"));
        }
        double loss = out.get("loss").getDouble(0);
        memory.recycle();
        return loss;
    }

    /** Gradients of the generator loss with respect to the generator's trainable weights (no update). */
    public Map<String, INDArray> gradients(NetworkWeights generator, NetworkWeights critic, INDArray noise) {
        return GanNetworks.keep(run(generator, critic, noise).getGradients(), memory);
    }

    /** The generator loss (forward only). */
    public double loss(NetworkWeights generator, NetworkWeights critic, INDArray noise) {
        GanNetworks.bind(sd, generator);
        GanNetworks.bind(sd, critic);
        return sd.output(Map.of("noise", noise), "loss").get("loss").getDouble(0);
    }

    private OutAndGrad run(NetworkWeights generator, NetworkWeights critic, INDArray noise) {
        GanNetworks.bind(sd, generator);
        GanNetworks.bind(sd, critic);
        StepMemory.use(sd, memory);
        OutAndGrad r = sd.calculateGradientsAndOutputs(Map.of("noise", noise), outputs, trainable);
        GanNetworks.addRegularisationGradient(r.getGradients(), generator, false, scratch);
        return r;
    }
}

package dev.fedgan.core.gan;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.array.SingleThreadArrayHolder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The reference generator and critic (reference section 2.2, 2.3) as SameDiff ops, and their initial weights.
 *
 * <p>Layout is NCHW. Kernels: dense {@code [in, out]}; convolution {@code [kH, kW, in, out]}; transposed convolution
 * {@code [kH, kW, out, in]} (libnd4j's deconv2d layout). TF "same" padding of the 4×4 kernels: every stride-2
 * layer here pads one row/column on each side (28→14→7 and back), the generator's last stride-1 convolution pads
 * one before and two after (TF's extra row/column at the bottom/right), done with an explicit pad.
 *
 * <p>Batch norm is Keras' with {@code scale=False}: β only, ε = 1e-3, momentum 0.999; in training mode it
 * normalises with the batch mean and the biased batch variance and reports both so the caller can move the
 * statistics. Every network runs in training mode during training, as the reference does.
 */
public final class GanNetworks {

    public static final double BN_EPSILON = 1e-3;
    public static final double BN_MOMENTUM = 0.999;
    public static final double LEAKY_SLOPE = 0.01;
    /** Weight decay wd = 2.5e-5: the loss gets 0.5·wd·Σw² = 1.25e-5·Σw² for every regularised tensor. */
    public static final double L2 = 0.5 * 2.5e-5;

    /** Batch-norm layers of the generator, in order. */
    static final List<String> GENERATOR_BN = List.of("g_bn1", "g_bn2", "g_bn3", "g_bn4");
    static final String CRITIC_BN = "d_bn";
    private static final List<String> GENERATOR_REGULARISED = List.of("g_dense1_W", "g_dense2_W", "g_deconv1_W", "g_deconv2_W");
    static final List<String> CRITIC_REGULARISED = List.of("d_conv1_W", "d_conv1_b", "d_conv2_W", "d_conv2_b",
            "d_dense_W", "d_out_W", "d_out_b");

    private GanNetworks() {
    }

    /** Fresh generator weights: Glorot-uniform kernels, zero biases and β, moving mean 0 and variance 1. */
    public static NetworkWeights initialGenerator(GanPreset p, long seed) {
        return generator(p, new SplittableRandom(seed));
    }

    /**
     * The generator's tensors (names, shapes) with zero kernels: a layout to read stored weights into or to
     * declare graph variables from, without drawing 13 M random numbers for the reference preset.
     */
    public static NetworkWeights generatorLayout(GanPreset p) {
        return generator(p, null);
    }

    /** Fresh critic weights: Glorot-uniform kernels, zero biases and β, moving mean 0 and variance 1. */
    public static NetworkWeights initialCritic(GanPreset p, long seed) {
        return critic(p, new SplittableRandom(seed));
    }

    /** The critic's tensors with zero kernels (see {@link #generatorLayout}). */
    public static NetworkWeights criticLayout(GanPreset p) {
        return critic(p, null);
    }

    private static NetworkWeights generator(GanPreset p, SplittableRandom rnd) {
        int spatial = 49 * p.generatorChannels();
        NetworkWeights.Builder b = new NetworkWeights.Builder();
        b.trainable("g_dense1_W", glorot(rnd, p.noiseDim(), p.generatorDense(), p.noiseDim(), p.generatorDense()));
        bn(b, "g_bn1", p.generatorDense());
        b.trainable("g_dense2_W", glorot(rnd, p.generatorDense(), spatial, p.generatorDense(), spatial));
        bn(b, "g_bn2", spatial);
        b.trainable("g_deconv1_W", glorot(rnd, 16 * p.generatorChannels(), 16 * p.generatorDeconv1(),
                4, 4, p.generatorDeconv1(), p.generatorChannels()));
        bn(b, "g_bn3", p.generatorDeconv1());
        b.trainable("g_deconv2_W", glorot(rnd, 16 * p.generatorDeconv1(), 16 * p.generatorDeconv2(),
                4, 4, p.generatorDeconv2(), p.generatorDeconv1()));
        bn(b, "g_bn4", p.generatorDeconv2());
        b.trainable("g_conv_W", glorot(rnd, 16 * p.generatorDeconv2(), 16, 4, 4, p.generatorDeconv2(), 1));
        b.trainable("g_conv_b", Nd4j.zeros(DataType.FLOAT, 1));
        return b.build();
    }

    private static NetworkWeights critic(GanPreset p, SplittableRandom rnd) {
        int flat = 49 * p.criticConv2();
        NetworkWeights.Builder b = new NetworkWeights.Builder();
        b.trainable("d_conv1_W", glorot(rnd, 16, 16 * p.criticConv1(), 4, 4, 1, p.criticConv1()));
        b.trainable("d_conv1_b", Nd4j.zeros(DataType.FLOAT, p.criticConv1()));
        b.trainable("d_conv2_W", glorot(rnd, 16 * p.criticConv1(), 16 * p.criticConv2(), 4, 4, p.criticConv1(), p.criticConv2()));
        b.trainable("d_conv2_b", Nd4j.zeros(DataType.FLOAT, p.criticConv2()));
        b.trainable("d_dense_W", glorot(rnd, flat, p.criticDense(), flat, p.criticDense()));
        bn(b, CRITIC_BN, p.criticDense());
        b.trainable("d_out_W", glorot(rnd, p.criticDense(), 1, p.criticDense(), 1));
        b.trainable("d_out_b", Nd4j.zeros(DataType.FLOAT, 1));
        return b.build();
    }

    private static void bn(NetworkWeights.Builder b, String name, int features) {
        b.trainable(name + "_beta", Nd4j.zeros(DataType.FLOAT, features));
        b.statistic(name + "_mean", Nd4j.zeros(DataType.FLOAT, features));
        b.statistic(name + "_var", Nd4j.ones(DataType.FLOAT, features));
    }

    /** Glorot-uniform values, or zeros when {@code rnd} is null (a layout). */
    private static INDArray glorot(SplittableRandom rnd, long fanIn, long fanOut, long... shape) {
        if (rnd == null) {
            return Nd4j.zeros(DataType.FLOAT, shape);
        }
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * limit);
        }
        return Nd4j.createFromArray(v).reshape(shape);
    }

    // ---------------------------------------------------------------- graph building

    /**
     * A new graph whose variables hold the very arrays bound to them ({@link #bind}). SameDiff's default
     * (thread-safe, lazily initialised) holder copies an array every time one is bound: with the weights bound before
     * every step, that would be a fresh copy of both networks per step, allocated natively and freed only when the
     * garbage collector gets to it.
     * A graph is used by one thread at a time (callers synchronise), which is what this holder needs.
     */
    static SameDiff graph() {
        SameDiff sd = SameDiff.create();
        sd.setArrayHolders(new SingleThreadArrayHolder(), new SingleThreadArrayHolder(), false);
        return sd;
    }

    /** Declares every tensor of {@code w} as a SameDiff variable of the graph (arrays are bound before each run). */
    static void declare(SameDiff sd, NetworkWeights w, DataType type) {
        for (var e : w.tensors().entrySet()) {
            sd.var(e.getKey(), type, e.getValue().shape());
        }
    }

    /** Copies of a gradient pass's {@code arrays} that outlive the pass (its own arrays go back to {@code memory}). */
    static Map<String, INDArray> keep(Map<String, INDArray> arrays, StepMemory memory) {
        Map<String, INDArray> kept = new HashMap<>();
        arrays.forEach((name, a) -> kept.put(name, a.dup()));
        memory.recycle();
        return kept;
    }

    /** Points the graph's variables at the arrays of {@code w} (no copy): updates in place are seen by the graph. */
    static void bind(SameDiff sd, NetworkWeights w) {
        for (var e : w.tensors().entrySet()) {
            if (sd.hasVariable(e.getKey())) {
                sd.getVariable(e.getKey()).setArray(e.getValue());
            }
        }
    }

    /**
     * Builds the graph's gradient function now. SameDiff 1.0.0-M2.1 prints a line per differentiated op to
     * {@code System.out} while doing so, which would corrupt a command's JSON output: stdout is muted meanwhile.
     */
    static synchronized void createGradients(SameDiff sd) {
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            sd.createGradFunction();
        } finally {
            System.setOut(stdout);
        }
    }

    /** One batch-norm layer's batch statistics, as graph outputs (shape of the normalised axis). */
    record BatchStats(String layer, SDVariable mean, SDVariable variance) {
    }

    /**
     * Batch norm with β only. In training mode, batch statistics over {@code axes} (collected in {@code stats});
     * otherwise the moving statistics.
     */
    private static SDVariable batchNorm(SameDiff sd, SDVariable x, String layer, boolean spatial, boolean training,
            List<BatchStats> stats) {
        int[] axes = spatial ? new int[] {0, 2, 3} : new int[] {0};
        SDVariable beta = sd.getVariable(layer + "_beta");
        SDVariable mean;
        SDVariable var;
        if (training) {
            mean = x.mean(true, axes);
            var = sd.math.square(x.sub(mean)).mean(true, axes);
            stats.add(new BatchStats(layer, mean.reshape(-1), var.reshape(-1)));
        } else {
            mean = sd.getVariable(layer + "_mean");
            var = sd.getVariable(layer + "_var");
            if (spatial) {
                mean = mean.reshape(1, -1, 1, 1);
                var = var.reshape(1, -1, 1, 1);
            }
        }
        SDVariable b = spatial ? beta.reshape(1, -1, 1, 1) : beta;
        return x.sub(mean).mul(sd.math.rsqrt(var.add(BN_EPSILON))).add(b);
    }

    static Conv2DConfig stride2Conv() {
        return Conv2DConfig.builder().kH(4).kW(4).sH(2).sW(2).pH(1).pW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").build();
    }

    static DeConv2DConfig stride2Deconv() {
        return DeConv2DConfig.builder().kH(4).kW(4).sH(2).sW(2).pH(1).pW(1).isSameMode(false).dataFormat("NCHW").build();
    }

    /** Generator: noise {@code [B, noiseDim]} → images {@code [B, 1, 28, 28]} in (−1, 1). */
    static SDVariable generator(SameDiff sd, GanPreset p, SDVariable z, boolean training, List<BatchStats> stats) {
        SDVariable h = z.mmul(sd.getVariable("g_dense1_W"));
        h = sd.nn.relu(batchNorm(sd, h, "g_bn1", false, training, stats), 0);
        h = h.mmul(sd.getVariable("g_dense2_W"));
        h = sd.nn.relu(batchNorm(sd, h, "g_bn2", false, training, stats), 0);
        h = h.reshape(-1, p.generatorChannels(), 7, 7);
        h = sd.cnn.deconv2d(h, sd.getVariable("g_deconv1_W"), stride2Deconv());
        h = sd.nn.relu(batchNorm(sd, h, "g_bn3", true, training, stats), 0);
        h = sd.cnn.deconv2d(h, sd.getVariable("g_deconv2_W"), stride2Deconv());
        h = sd.nn.relu(batchNorm(sd, h, "g_bn4", true, training, stats), 0);
        SDVariable padding = sd.constant(Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {1, 2}, {1, 2}}));
        h = sd.nn.pad(h, padding, 0.0);
        h = sd.cnn.conv2d(h, sd.getVariable("g_conv_W"), sd.getVariable("g_conv_b"), Conv2DConfig.builder()
                .kH(4).kW(4).sH(1).sW(1).paddingMode(PaddingMode.VALID).dataFormat("NCHW").build());
        return sd.math.tanh(h);
    }

    /** The critic's forward pass with what its input gradient needs. */
    record CriticPass(SDVariable score, SDVariable preActivation1, SDVariable preActivation2, SDVariable normalised,
            SDVariable beforeLastActivation, SDVariable inverseStd) {
    }

    /** Critic in training mode: images {@code [B, 1, 28, 28]} → scores {@code [B, 1]}. */
    static CriticPass critic(SameDiff sd, GanPreset p, SDVariable x, List<BatchStats> stats) {
        return critic(sd, p, List.of(x), stats).get(0);
    }

    /**
     * The critic in training mode on several equally sized batches at once: the convolutions and the dense layer
     * (per-example operations) run once on the concatenated batches, batch norm then normalises each batch with its
     * own statistics, exactly as separate passes would. Bigger matrix products, a third of the op calls. Without
     * batch norm ({@link GanPreset#criticBatchNorm()} false) the dense layer adds β as a bias; its batch statistics
     * are still collected, so the weights keep one layout.
     */
    static List<CriticPass> critic(SameDiff sd, GanPreset p, List<SDVariable> batches, List<BatchStats> stats) {
        int n = batches.size();
        SDVariable x = n == 1 ? batches.get(0) : sd.concat(0, batches.toArray(new SDVariable[0]));
        SDVariable a1 = sd.cnn.conv2d(x, sd.getVariable("d_conv1_W"), sd.getVariable("d_conv1_b"), stride2Conv());
        SDVariable a2 = sd.cnn.conv2d(sd.nn.leakyRelu(a1, LEAKY_SLOPE), sd.getVariable("d_conv2_W"),
                sd.getVariable("d_conv2_b"), stride2Conv());
        SDVariable a3 = sd.nn.leakyRelu(a2, LEAKY_SLOPE).reshape(-1, 49L * p.criticConv2()).mmul(sd.getVariable("d_dense_W"));
        SDVariable[] a1s = n == 1 ? new SDVariable[] {a1} : sd.split(a1, n, 0);
        SDVariable[] a2s = n == 1 ? new SDVariable[] {a2} : sd.split(a2, n, 0);
        SDVariable[] a3s = n == 1 ? new SDVariable[] {a3} : sd.split(a3, n, 0);
        List<CriticPass> passes = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            SDVariable mean = a3s[i].mean(true, 0);
            SDVariable var = sd.math.square(a3s[i].sub(mean)).mean(true, 0);
            stats.add(new BatchStats(CRITIC_BN, mean.reshape(-1), var.reshape(-1)));
            SDVariable inv = sd.math.rsqrt(var.add(BN_EPSILON));
            SDVariable xhat = p.criticBatchNorm() ? a3s[i].sub(mean).mul(inv) : a3s[i];
            SDVariable y3 = xhat.add(sd.getVariable(CRITIC_BN + "_beta"));
            SDVariable score = sd.nn.leakyRelu(y3, LEAKY_SLOPE).mmul(sd.getVariable("d_out_W")).add(sd.getVariable("d_out_b"));
            passes.add(new CriticPass(score, a1s[i], a2s[i], xhat, y3, inv));
        }
        return passes;
    }

    /**
     * ∂(Σ_b D(x)_b)/∂x written out as forward ops (the backward pass of {@link #critic} by hand, batch-norm's
     * batch coupling included), so that SameDiff can differentiate it once more with respect to the critic's
     * weights: the route to the gradient penalty's gradient, since SameDiff cannot differentiate a gradient.
     * The input gradient of a convolution is the transposed convolution with the same kernel array.
     */
    static SDVariable criticInputGradient(SameDiff sd, GanPreset p, CriticPass pass) {
        SDVariable outW = sd.getVariable("d_out_W");
        // ∂(Σ scores)/∂y3: the output kernel's row sums (one column for a critic, one per client for a block of critics)
        SDVariable perUnit = outW.getShape()[1] == 1 ? outW.reshape(1, -1) : outW.sum(1).reshape(1, -1);
        SDVariable gScore = sd.zerosLike(pass.beforeLastActivation()).add(perUnit);
        SDVariable gy3 = gScore.mul(leakyMask(sd, pass.beforeLastActivation()));
        SDVariable xhat = pass.normalised();
        SDVariable ga3 = !p.criticBatchNorm() ? gy3
                : gy3.sub(gy3.mean(true, 0)).sub(xhat.mul(gy3.mul(xhat).mean(true, 0))).mul(pass.inverseStd());
        SDVariable gh2 = sd.mmul(ga3, sd.getVariable("d_dense_W"), false, true, false).reshape(-1, p.criticConv2(), 7, 7);
        SDVariable ga2 = gh2.mul(leakyMask(sd, pass.preActivation2()));
        SDVariable gh1 = sd.cnn.deconv2d(ga2, sd.getVariable("d_conv2_W"), stride2Deconv());
        SDVariable ga1 = gh1.mul(leakyMask(sd, pass.preActivation1()));
        return sd.cnn.deconv2d(ga1, sd.getVariable("d_conv1_W"), stride2Deconv());
    }

    /** LeakyReLU's derivative (1 above zero, the slope below); a step function, so it adds no gradient itself. */
    private static SDVariable leakyMask(SameDiff sd, SDVariable preActivation) {
        return sd.gt(preActivation, 0.0).castTo(preActivation.dataType()).mul(1 - LEAKY_SLOPE).add(LEAKY_SLOPE);
    }

    static SDVariable generatorRegularisation(SameDiff sd) {
        return l2(sd, GENERATOR_REGULARISED);
    }

    static SDVariable criticRegularisation(SameDiff sd) {
        return l2(sd, CRITIC_REGULARISED);
    }

    /**
     * Adds the weight decay's gradient 2·L2·w to {@code grads} in place. The decay stays out of the differentiated
     * graph: SameDiff's pow derivative over the 6.4M-weight dense kernel is an expensive op of its own in every
     * critic step, where the analytic gradient is one multiply-add per weight.
     * {@code scratch} holds the caller's buffers for the 2·L2·w terms, by tensor name.
     */
    static void addRegularisationGradient(Map<String, INDArray> grads, NetworkWeights w, boolean critic,
            Map<String, INDArray> scratch) {
        for (String n : critic ? CRITIC_REGULARISED : GENERATOR_REGULARISED) {
            INDArray weights = w.get(n);
            // 2·λ·w into a buffer kept between steps (the same two float operations as grads += w·2λ, no new array).
            INDArray term = scratch.computeIfAbsent(n, k -> weights.ulike());
            grads.get(n).addi(weights.mul(2 * L2, term));
        }
    }

    private static SDVariable l2(SameDiff sd, List<String> names) {
        SDVariable sum = null;
        for (String n : names) {
            SDVariable t = sd.math.square(sd.getVariable(n)).sum();
            sum = sum == null ? t : sum.add(t);
        }
        return sum.mul(L2);
    }
}

package dev.fedgan.core.dpsgd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A feed-forward network of {@link Layer}s ending in class logits, trained with the softmax cross-entropy of each
 * example. Parameters and gradient are each one flat vector (every layer holds views), so an optimizer, the DP
 * noise and a checkpoint see one array.
 *
 * <p>{@link #addGradient} is the engine: one batched forward and backward pass over the examples' own losses (not
 * their mean), every example's gradient norm over all parameters together from what the layers kept, the clip
 * factors cᵢ = min(1, S / ‖∇θᵢ‖), and Σᵢ cᵢ·∇θᵢ added to {@link #gradient()} by book-keeping. With no clip bound it
 * adds the plain sum Σᵢ ∇θᵢ (ordinary training) and computes norms only when asked.
 *
 * <p>A step's arrays (activations, unfolded patches, per-example gradients) live in an ND4J workspace that the next
 * step reuses: freshly allocated native memory costs a page fault per 4 KB on first touch, which at batch 2048 took
 * longer than the arithmetic on the unfolded patches. The workspace belongs to the calling thread and keeps the
 * largest step's memory until {@link #releaseMemory()}.
 */
public final class Network {

    /** Sized by the first step, 20% to spare for Poisson batches; a larger step grows it. */
    private static final WorkspaceConfiguration STEP_MEMORY = WorkspaceConfiguration.builder().initialSize(0)
            .overallocationLimit(0.2).policyAllocation(AllocationPolicy.OVERALLOCATE)
            .policyLearning(LearningPolicy.FIRST_LOOP).policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE).build();
    private static final AtomicLong WORKSPACES = new AtomicLong();

    private final List<Layer> layers;
    private final long[] inputShape;
    private final DataType dataType;
    private final INDArray params;
    private final INDArray gradient;
    private final int classes;
    private final int firstWithParams;
    private final String workspace = "fedgan-dpsgd-step-" + WORKSPACES.incrementAndGet();

    private Network(long[] inputShape, DataType dataType, List<Layer> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one layer");
        }
        this.layers = List.copyOf(layers);
        this.inputShape = inputShape.clone();
        this.dataType = dataType;
        long[] shape = inputShape.clone();
        long total = 0;
        int first = -1;
        for (int i = 0; i < layers.size(); i++) {
            try {
                shape = layers.get(i).outputShape(shape);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layer " + i + " (" + layers.get(i).describe() + "): " + e.getMessage(), e);
            }
            if (layers.get(i).numParams() > 0 && first < 0) {
                first = i;
            }
            total += layers.get(i).numParams();
        }
        if (shape.length != 1) {
            throw new IllegalArgumentException("the last layer must give a vector of class logits, got shape "
                    + Arrays.toString(shape));
        }
        this.classes = Math.toIntExact(shape[0]);
        this.firstWithParams = first;
        this.params = Nd4j.create(dataType, 1, Math.max(total, 1));
        this.gradient = Nd4j.create(dataType, 1, Math.max(total, 1));
        shape = inputShape.clone();
        long at = 0;
        for (Layer l : layers) {
            long n = l.numParams();
            if (n > 0) {
                l.bind(shape, Layer.slice(params, at, at + n), Layer.slice(gradient, at, at + n));
            }
            at += n;
            shape = l.outputShape(shape);
        }
    }

    /**
     * A network over inputs of {@code inputShape} (one example, e.g. [1, 28, 28]), parameters initialised from
     * {@code seed} (Glorot-uniform kernels, zero biases, unit scales).
     */
    public static Network of(long[] inputShape, DataType dataType, List<Layer> layers, long seed) {
        Network n = new Network(inputShape, dataType, layers);
        SplittableRandom rng = new SplittableRandom(seed);
        for (Layer l : n.layers) {
            l.initialise(rng);
        }
        return n;
    }

    /** The same layers built afresh by {@code layers} over the given data type, with this network's parameters. */
    public Network withDataType(DataType type, List<Layer> freshLayers) {
        Network n = new Network(inputShape, type, freshLayers);
        n.params.assign(params.castTo(type));
        return n;
    }

    public List<Layer> layers() {
        return layers;
    }

    public long[] inputShape() {
        return inputShape.clone();
    }

    public DataType dataType() {
        return dataType;
    }

    public int numClasses() {
        return classes;
    }

    public long numParams() {
        return layers.stream().mapToLong(Layer::numParams).sum();
    }

    /** All parameters as one [1, P] row (the live array: writing it changes the network). */
    public INDArray params() {
        return params;
    }

    /** The gradient accumulated by {@link #addGradient} since the last {@link #clearGradient()} (live array). */
    public INDArray gradient() {
        return gradient;
    }

    public void clearGradient() {
        gradient.assign(0);
    }

    /** One line per layer with its output shape and parameter count, and how its per-example norms are computed. */
    public List<String> summary() {
        List<String> out = new ArrayList<>();
        long[] shape = inputShape.clone();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            shape = l.outputShape(shape);
            String norms = l instanceof WindowedLayer w ? (w.materialisedUpTo() == Long.MAX_VALUE ? ", per-example gradients"
                    : w.materialisedUpTo() == 0 ? ", ghost norm"
                    : ", per-example gradients up to " + w.materialisedUpTo() + " examples a pass, ghost norm beyond")
                    : l instanceof Dense ? ", ghost norm" : l.numParams() > 0 ? ", per-example gradients" : "";
            out.add(i + " " + l.describe() + " -> " + Arrays.toString(shape) + ", " + l.numParams() + " parameters" + norms);
        }
        return out;
    }

    /** The logits [batch, classes] of a batch [batch, inputShape...]. */
    public INDArray output(INDArray x) {
        try {
            return forward(x);
        } finally {
            release();
        }
    }

    private INDArray forward(INDArray x) {
        checkInput(x);
        INDArray h = x.castTo(dataType);
        for (Layer l : layers) {
            h = l.forward(h);
        }
        return h;
    }

    private void release() {
        for (Layer l : layers) {
            l.release();
        }
    }

    /** Frees the step memory the calling thread holds for this network (the next step allocates it again). */
    public void releaseMemory() {
        var manager = Nd4j.getWorkspaceManager();
        if (manager.checkIfWorkspaceExists(workspace)) {
            manager.destroyWorkspace(manager.getWorkspaceForCurrentThread(workspace));
        }
    }

    /**
     * Adds the batch's clipped gradient sum Σᵢ min(1, clip / ‖∇θᵢ‖)·∇θᵢ to {@link #gradient()}, each ∇θᵢ the
     * gradient of example i's own cross-entropy loss. {@code clip} = +∞ adds the plain sum.
     *
     * @param x      the batch [batch, inputShape...]
     * @param labels each example's class
     * @param clip   the clip bound S (> 0), or {@link Double#POSITIVE_INFINITY} for no clipping
     * @param norms  whether to compute the norms when not clipping (always computed when clipping)
     * @return each example's gradient norm before clipping, or null when not computed
     */
    public double[] addGradient(INDArray x, int[] labels, double clip, boolean norms) {
        if (!(clip > 0)) {
            throw new IllegalArgumentException("the clip bound must be > 0, got " + clip);
        }
        double[] clips = null;
        if (clip != Double.POSITIVE_INFINITY) {
            clips = new double[labels.length];
            Arrays.fill(clips, clip);
        }
        return addGradient(x, labels, clips, norms);
    }

    /**
     * As {@link #addGradient(INDArray, int[], double, boolean)}, with a clip bound per example: Σᵢ min(1, Sᵢ / ‖∇θᵢ‖)·∇θᵢ
     * (per-group clipping, where examples of different groups have different bounds).
     *
     * @param clips each example's bound Sᵢ (&gt; 0, +∞ allowed), or null for no clipping
     */
    public double[] addGradient(INDArray x, int[] labels, double[] clips, boolean norms) {
        if (x.size(0) != labels.length) {
            throw new IllegalArgumentException(x.size(0) + " examples but " + labels.length + " labels");
        }
        return addGradient(x, Loss.crossEntropy(labels), clips, norms);
    }

    /**
     * Adds Σᵢ min(1, Sᵢ / ‖∇θᵢ‖)·∇θᵢ to {@link #gradient()}, ∇θᵢ the gradient of example i's own {@code loss}: the
     * per-example clipped sum for any loss where each example's loss depends on its own output.
     *
     * @param clips each example's bound Sᵢ (&gt; 0, +∞ allowed), or null for no clipping
     * @return each example's gradient norm before clipping, or null when not clipping and not asked for
     */
    public double[] addGradient(INDArray x, Loss loss, double[] clips, boolean norms) {
        return addGradient(x, loss, clips, norms, 1);
    }

    /**
     * As {@link #addGradient(INDArray, Loss, double[], boolean)} for examples that each span {@code parts} rows of
     * {@code x}: of its k·n rows, row j·n + i is part j of example i. Example i's gradient is the sum of its parts'
     * gradients Σⱼ ∇θ Lⱼₙ₊ᵢ, and that sum is what is normed, clipped to Sᵢ and added: for a loss whose every term
     * that touches one example (a gradient penalty at points made from it, say) must be inside that example's
     * clipped gradient. The norms come from the same batched pass: the parts of an example are side by side in its
     * per-example factors.
     *
     * @param clips each example's bound Sᵢ (n of them), or null for no clipping
     * @return each example's gradient norm before clipping (n of them), or null when not clipping and not asked for
     */
    public double[] addGradient(INDArray x, Loss loss, double[] clips, boolean norms, int parts) {
        if (parts < 1 || x.size(0) % parts != 0) {
            throw new IllegalArgumentException(x.size(0) + " rows do not make examples of " + parts + " parts");
        }
        long examples = x.size(0) / parts;
        if (clips != null) {
            if (clips.length != examples) {
                throw new IllegalArgumentException(clips.length + " clip bounds for " + examples + " examples");
            }
            for (double c : clips) {
                if (!(c > 0)) {
                    throw new IllegalArgumentException("the clip bound must be > 0, got " + c);
                }
            }
        }
        try (MemoryWorkspace step = Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP_MEMORY, workspace)) {
            return clippedSum(x, loss, clips, norms, examples);
        } finally {
            release();
        }
    }

    /**
     * dL/dx: the gradient of Σᵢ Lᵢ with respect to the inputs [batch, inputShape...], the parameters' gradient
     * left as it was. For a generator step: the discriminator's loss on generated images, back to the images.
     */
    public INDArray inputGradient(INDArray x, Loss loss) {
        try (MemoryWorkspace step = Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP_MEMORY, workspace)) {
            INDArray g = outputGradient(forward(x), loss);
            for (int i = layers.size() - 1; i >= 0; i--) {
                g = layers.get(i).backward(g, true);
            }
            return g.detach();
        } finally {
            release();
        }
    }

    /**
     * Adds the batch's gradient sum when the gradient of the loss with respect to the outputs is given
     * ({@code outputGradient} [batch, outputs]), without clipping: for a generator, whose loss is computed by the
     * discriminator on its outputs.
     */
    public void addOutputGradient(INDArray x, INDArray outputGradient) {
        if (outputGradient.rank() != 2 || outputGradient.size(0) != x.size(0) || outputGradient.size(1) != classes) {
            throw new IllegalArgumentException("output gradient of shape " + Arrays.toString(outputGradient.shape())
                    + " for " + x.size(0) + " examples of " + classes + " outputs");
        }
        try (MemoryWorkspace step = Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP_MEMORY, workspace)) {
            forward(x);
            INDArray g = outputGradient.castTo(dataType);
            for (int i = layers.size() - 1; i >= 0; i--) {
                g = layers.get(i).backward(g, i > firstWithParams);
            }
            for (Layer l : layers) {
                l.accumulate(null);
            }
        } finally {
            release();
        }
    }

    private INDArray outputGradient(INDArray outputs, Loss loss) {
        double[][] z = outputs.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] grad = loss.outputGradient(z);
        if (grad.length != z.length) {
            throw new IllegalStateException("the loss gave " + grad.length + " gradients for " + z.length + " examples");
        }
        return Nd4j.create(grad).castTo(dataType);
    }

    private double[] clippedSum(INDArray x, Loss loss, double[] clips, boolean norms, long examples) {
        INDArray g = outputGradient(forward(x), loss);
        for (int i = layers.size() - 1; i >= 0; i--) {
            g = layers.get(i).backward(g, i > firstWithParams);
        }
        boolean clipping = clips != null;
        double[] n = null;
        INDArray scale = null;
        if (clipping || norms) {
            INDArray squared = Nd4j.create(dataType, examples, 1);
            for (Layer l : layers) {
                l.addSquaredNorms(squared);
            }
            n = squared.castTo(DataType.DOUBLE).data().asDouble();
            double[] c = clipping ? new double[n.length] : null;
            for (int i = 0; i < n.length; i++) {
                n[i] = Math.sqrt(n[i]);
                if (!Double.isFinite(n[i])) {
                    // A clip factor cannot bound a NaN or infinite gradient: stop before it reaches the parameters.
                    throw new IllegalStateException("example " + i + " of the batch has a gradient norm of " + n[i]
                            + ": training has diverged (lower the learning rate); the parameters are unchanged");
                }
                if (clipping) {
                    c[i] = n[i] > clips[i] ? clips[i] / n[i] : 1;
                }
            }
            if (clipping) {
                scale = Nd4j.create(c, new long[] {c.length, 1}, 'c').castTo(dataType);
            }
        }
        for (Layer l : layers) {
            l.accumulate(scale);
        }
        return n;
    }

    private void checkInput(INDArray x) {
        long[] s = x.shape();
        if (s.length != inputShape.length + 1 || !Arrays.equals(WindowedLayer.tail(s), inputShape)) {
            throw new IllegalArgumentException("the network takes inputs of shape [batch, "
                    + Arrays.toString(inputShape).replaceAll("[\\[\\]]", "") + "], got " + Arrays.toString(s));
        }
    }
}

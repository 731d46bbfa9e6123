package dev.fedgan.core.gan;

import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.data.WriterPartition;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A client's part of a round (reference section 4.3): load the broadcast generator and critic, take up to
 * {@code clientSteps} SGD steps on the critic with batches of the client's own examples (shuffled once with the
 * reference seed 124578, not repeated) against equally many images the broadcast generator makes on the client,
 * and return the critic delta. Not thread-safe: one instance per worker thread.
 */
public final class ClientTraining {

    /** The reference's client shuffle seed (a fixed order every time the client is chosen). */
    public static final long SHUFFLE_SEED = 124_578;
    /**
     * The fewest examples a client can train on: the critic's batch normalisation over one example is degenerate.
     * Users with fewer take no part in an experiment ({@code PrivateSelection#field}).
     */
    public static final int MIN_EXAMPLES = 2;

    private final GanTrainingConfig config;
    private final CriticStep criticStep;
    private final GeneratorSampler generator;

    public ClientTraining(GanTrainingConfig config) {
        this.config = config;
        criticStep = new CriticStep(config.preset(), config.loss(), config.penaltyWeight(), DataType.FLOAT);
        generator = new GeneratorSampler(config.preset(), true, DataType.FLOAT);
    }

    /**
     * Trains a copy of {@code critic} on {@code data} and returns the delta. {@code seed} drives the noise
     * vectors and interpolation weights (derive it from the experiment seed, round and client).
     */
    public ClientUpdate train(String clientId, int round, NetworkWeights broadcastGenerator,
            NetworkWeights broadcastCritic, WriterData data, long seed) {
        if (data.size() < MIN_EXAMPLES) {
            throw new IllegalArgumentException("client " + clientId + " has " + data.size()
                    + " examples; a critic step needs at least " + MIN_EXAMPLES);
        }
        NetworkWeights critic = broadcastCritic.copy();
        int[] order = WriterPartition.permutation(data.size(), new SplittableRandom(SHUFFLE_SEED));
        SplittableRandom rnd = new SplittableRandom(seed);
        int batch = config.batchSize();
        int steps = steps(config, data.size());
        int used = 0;
        double loss = Double.NaN;
        for (int s = 0; s < steps; s++) {
            int from = s * batch;
            int size = Math.min(batch, data.size() - from);
            INDArray real = images(data, Arrays.copyOfRange(order, from, from + size));
            INDArray fake = generator.sample(broadcastGenerator, gaussian(rnd, batch, config.preset().noiseDim()));
            if (size < batch) {
                fake = fake.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, size)).dup();
            }
            INDArray alpha = uniform(rnd, size);
            loss = criticStep.step(critic, real, fake, alpha, config.criticLearningRate()).loss();
            used += size;
        }
        return update(clientId, round, critic, broadcastCritic, used, steps, loss);
    }

    /**
     * A client's critic steps on {@code examples} examples: {@code clientSteps} batches at most, not repeated. A
     * trailing batch of one example is dropped: batch norm over a single example is degenerate (variance 0) and
     * SameDiff cannot run it. Only a client with exactly 1 + k·batch examples loses a step this way.
     */
    static int steps(GanTrainingConfig config, int examples) {
        return Math.min(config.clientSteps(), (examples + config.batchSize() - 2) / config.batchSize());
    }

    /** The update of a trained critic: its delta, zeroed and marked when any value is not finite. */
    static ClientUpdate update(String clientId, int round, NetworkWeights critic, NetworkWeights broadcastCritic,
            int used, int steps, double loss) {
        float[] delta = critic.minus(broadcastCritic);
        boolean nonFinite = false;
        for (float v : delta) {
            if (!Float.isFinite(v)) {
                nonFinite = true;
                break;
            }
        }
        if (nonFinite) {
            Arrays.fill(delta, 0f);
        }
        return new ClientUpdate(clientId, round, delta, used, steps, nonFinite, loss);
    }

    static INDArray images(WriterData data, int[] indices) {
        return Nd4j.createFromArray(data.select(indices).pixels()).reshape(indices.length, 1, WriterData.SIDE, WriterData.SIDE);
    }

    /** Standard normal noise vectors {@code [rows, cols]}. */
    public static INDArray gaussian(SplittableRandom rnd, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return Nd4j.createFromArray(v).reshape(rows, cols);
    }

    static INDArray uniform(SplittableRandom rnd, int rows) {
        float[] v = new float[rows];
        for (int i = 0; i < rows; i++) {
            v[i] = (float) rnd.nextDouble();
        }
        return Nd4j.createFromArray(v).reshape(rows, 1, 1, 1);
    }
}

package dev.fedgan.core.gan;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.BaseNDArray;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The arrays of a training step's gradient pass, kept for the next step of the same graph.
 *
 * <p>SameDiff 1.0.0-M2.1 turns its array cache off for gradient passes ({@code calculateGradientsAndOutputs} sets
 * {@code setEnableCache(false)} on the gradient function): every op output of every step would be a new native
 * allocation, zeroed by libnd4j and freed only when the garbage collector finds its Java object. At the reference
 * preset that is about 0.5 GB per aggregator round, every page faulted in and cleared by the kernel first. Here a
 * step's arrays stay in use for the whole step, as they do without the cache, and go
 * back to a pool only when the step is over ({@link #recycle()}); the next step takes them by data type and shape,
 * zeroed as a new array would be. An array no step has taken for two steps is freed.
 *
 * <p>One graph, one thread at a time: the arrays a step returned (its gradients and outputs) must not be used after
 * {@link #recycle()}.
 */
final class StepMemory extends AbstractMemoryMgr {

    private record Key(DataType type, String shape) {
        static Key of(DataType type, long[] shape) {
            return new Key(type, Arrays.toString(shape));
        }
    }

    private record Idle(INDArray array, long since) {
    }

    private final Map<Key, ArrayDeque<Idle>> idle = new HashMap<>();
    private final List<INDArray> inUse = new ArrayList<>();
    private long steps;
    private long created;
    private long reused;

    /** Makes {@code graph}'s gradient passes on the calling thread allocate from {@code memory}. */
    static void use(SameDiff graph, StepMemory memory) {
        SameDiff gradient = graph.getFunction("grad");
        InferenceSession session = gradient.getSessions()
                .computeIfAbsent(Thread.currentThread().getId(), t -> new InferenceSession(gradient));
        if (session.getMmgr() != memory) {
            session.setMmgr(memory);
        }
    }

    @Override
    public INDArray allocate(boolean detached, DataType type, long... shape) {
        ArrayDeque<Idle> free = idle.get(Key.of(type, shape));
        INDArray array;
        if (free == null || free.isEmpty()) {
            array = Nd4j.createUninitializedDetached(type, shape); // zeroed by libnd4j
            created++;
        } else {
            array = free.pop().array();
            ((BaseNDArray) array).assignNewId(); // SameDiff tracks arrays by id
            array.assign(0);
            reused++;
        }
        inUse.add(array);
        return array;
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
        if (descriptor.isEmpty()) {
            return Nd4j.create(descriptor);
        }
        return allocate(detached, descriptor.dataType(), descriptor.getShape());
    }

    /** SameDiff's early release within a step: ignored, the array stays in use until {@link #recycle()}. */
    @Override
    public void release(INDArray array) {
    }

    /** The step is over: its arrays may be taken by the next one; arrays idle for two steps are freed. */
    void recycle() {
        steps++;
        for (INDArray a : inUse) {
            if (!a.wasClosed() && a.ordering() == 'c') {
                idle.computeIfAbsent(Key.of(a.dataType(), a.shape()), k -> new ArrayDeque<>()).push(new Idle(a, steps));
            }
        }
        inUse.clear();
        for (ArrayDeque<Idle> free : idle.values()) {
            free.removeIf(i -> {
                boolean stale = steps - i.since() >= 2;
                if (stale) {
                    i.array().close();
                }
                return stale;
            });
        }
        idle.values().removeIf(ArrayDeque::isEmpty);
    }

    /** Arrays allocated new so far. */
    long created() {
        return created;
    }

    /** Arrays taken from the pool so far. */
    long reused() {
        return reused;
    }

    @Override
    public void close() {
        recycle();
        idle.values().forEach(free -> free.forEach(i -> i.array().close()));
        idle.clear();
    }
}

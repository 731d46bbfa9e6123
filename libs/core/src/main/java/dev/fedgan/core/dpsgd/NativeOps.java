package dev.fedgan.core.dpsgd;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/** Runs libnd4j's native layer ops (oneDNN where present) with NCHW data and [out, in, kH, kW]-style weights. */
final class NativeOps {

    /** libnd4j's layout arguments: data NCHW (0), weights format 1 ([oC, iC, kH, kW]; for deconv [iC, oC, kH, kW]). */
    private static final int NCHW = 0;
    private static final int WEIGHTS_OIHW = 1;

    private NativeOps() {
    }

    static void conv2d(String op, Window w, INDArray[] inputs, INDArray... outputs) {
        int[] a = w.args();
        Nd4j.getExecutioner().exec(DynamicCustomOp.builder(op).addInputs(inputs).addOutputs(outputs)
                .addIntegerArguments(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], NCHW, WEIGHTS_OIHW).build());
    }

    static void maxPool(String op, Window w, INDArray[] inputs, INDArray output) {
        int[] a = w.args();
        Nd4j.getExecutioner().exec(DynamicCustomOp.builder(op).addInputs(inputs).addOutputs(output)
                .addIntegerArguments(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], 0, NCHW).build());
    }

    static INDArray[] with(INDArray[] first, INDArray last) {
        INDArray[] all = java.util.Arrays.copyOf(first, first.length + 1);
        all[first.length] = last;
        return all;
    }
}

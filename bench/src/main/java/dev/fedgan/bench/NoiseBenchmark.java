package dev.fedgan.bench;

import dev.fedgan.core.privacy.DpFedAvgAggregate;
import dev.fedgan.core.privacy.DpFedAvgAggregate.DpConfig;
import dev.fedgan.core.privacy.GaussianNoise;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The DP arithmetic of one round on the reference critic (6,558,913 weights incl. BatchNorm statistics, reference
 * section 2.3): Gaussian noise on every coordinate (secure and seeded, on all cores and on one thread), the clip and
 * sum of 10 client deltas, and a whole aggregation (10 deltas, clip, secure noise, fixed denominator). Seconds/op.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.SECONDS)
public class NoiseBenchmark {

    static final int CRITIC_WEIGHTS = 6_558_913;
    static final int CLIENTS = 10;

    float[] target;
    float[][] deltas;
    GaussianNoise secure;
    GaussianNoise seeded;
    GaussianNoise secureOneThread;

    @Setup(Level.Trial)
    public void setup() {
        target = new float[CRITIC_WEIGHTS];
        deltas = new float[CLIENTS][CRITIC_WEIGHTS];
        SplittableRandom r = new SplittableRandom(1);
        for (float[] d : deltas) {
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) (r.nextGaussian() * 1e-4); // norm ≈ 0.26 > S = 0.1: every delta is clipped
            }
        }
        secure = GaussianNoise.secure();
        seeded = GaussianNoise.seeded(1);
        secureOneThread = GaussianNoise.secure().parallel(false);
    }

    /** Secure noise (fresh key, AES-256-CTR, sum of four normals) on every critic weight, all cores. */
    @Benchmark
    public float[] secureNoise() {
        secure.addTo(target, 1e-4);
        return target;
    }

    /** The same algorithm in the reproducible seeded mode. */
    @Benchmark
    public float[] seededNoise() {
        seeded.addTo(target, 1e-4);
        return target;
    }

    /** Secure noise on the calling thread only. */
    @Benchmark
    public float[] secureNoiseOneThread() {
        secureOneThread.addTo(target, 1e-4);
        return target;
    }

    /** Clip 10 deltas to S = 0.1 and sum them (z = 0, so no noise), then divide by m = 10. */
    @Benchmark
    public float[] clipAndSum10() {
        DpFedAvgAggregate agg = DpFedAvgAggregate.dp(CRITIC_WEIGHTS, new DpConfig(0.1, 0, CLIENTS), seeded);
        for (int c = 0; c < CLIENTS; c++) {
            agg.add("client-" + c, deltas[c]);
        }
        return agg.finish().average();
    }

    /** A whole DP round's aggregation as in the experiments: 10 deltas, S = 0.1, z = 0.01, secure noise, m = 10. */
    @Benchmark
    public float[] fullRound10() {
        DpFedAvgAggregate agg = DpFedAvgAggregate.dp(CRITIC_WEIGHTS, new DpConfig(0.1, 0.01, CLIENTS), secure);
        for (int c = 0; c < CLIENTS; c++) {
            agg.add("client-" + c, deltas[c]);
        }
        return agg.finish().average();
    }
}

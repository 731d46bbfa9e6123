package dev.fedgan.service;

import dev.fedgan.core.gan.StepWarmUp;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The one thread a service runs its ND4J/SameDiff work on (critic steps, DP aggregation and generator steps,
 * rendering), whatever worker thread a message arrives on.
 *
 * <p>Why: SameDiff keeps execution state per calling thread, and work that hops between Quarkus's worker threads
 * runs slower than the same work on one thread, and slower with every new thread it visits (up to twice as slow for
 * the reference generator steps; {@code bench/run.sh --main dev.fedgan.bench.ComputeThreadProbe} compares the
 * two). One thread also means one
 * piece of ND4J work at a time per service, so two experiments never compete for the same cores inside a pod.
 *
 * <p>All of it, set-up included: ND4J's OpenMP runtime (libgomp) keeps a team of threads for every thread that
 * calls it, and once a process holds more OpenMP threads than cores, idle OpenMP threads no longer spin between
 * parallel regions but sleep at once, so every region waits for its threads to be woken. Networks built on another
 * thread (a Kafka worker's) would give the process that second team, and the compute thread's OpenMP threads would
 * be put to sleep and woken thousands of times per reference round instead of a handful.
 */
@ApplicationScoped
public class ComputeThread {

    private static final Logger LOG = Logger.getLogger(ComputeThread.class);

    private volatile Thread current;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fedgan-compute");
        t.setDaemon(true);
        current = t;
        return t;
    });

    /** Runs {@code work} on the compute thread; one piece of work at a time, in the order submitted. */
    public <T> CompletableFuture<T> submit(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, thread);
    }

    /**
     * Runs {@code work} on the compute thread and waits for it; its exception is rethrown as it was (unchecked).
     * Already on the compute thread, it runs {@code work} directly.
     */
    public <T> T call(Supplier<T> work) {
        if (Thread.currentThread() == current) {
            return work.get();
        }
        try {
            return submit(work).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the compute thread", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Runs {@code work} on the compute thread and waits for it. */
    public void run(Runnable work) {
        call(() -> {
            work.run();
            return null;
        });
    }

    /**
     * Runs {@code warmUp} of {@code steps} steps on the compute thread in the background (work submitted meanwhile
     * waits behind it) and logs what it did; 0 steps runs nothing. For a service's start-up ({@link StepWarmUp}).
     *
     * @throws IllegalArgumentException for a negative number of steps (a start-up with it fails, naming it)
     */
    public void warmUp(String what, int steps, IntFunction<StepWarmUp.Result> warmUp) {
        if (steps < 0) {
            throw new IllegalArgumentException("warm-up of " + what + ": the number of steps must be ≥ 0, got "
                    + steps);
        }
        if (steps == 0) {
            return;
        }
        submit(() -> warmUp.apply(steps)).whenComplete((r, e) -> {
            if (e != null) {
                LOG.warn(what + " warm-up failed", e);
            } else {
                LOG.infof("warm-up: %d %s of the tiny networks in %.1f s", r.steps(), what, r.seconds());
            }
        });
    }

    void onStop(@Observes ShutdownEvent event) {
        thread.shutdownNow();
    }
}

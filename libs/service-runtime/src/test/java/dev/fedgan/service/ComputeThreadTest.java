package dev.fedgan.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fedgan.core.gan.StepWarmUp;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ComputeThreadTest {

    @Test
    void workFromManyThreadsRunsOnOneThreadOneAtATimeAndFailsAsItFailed() throws Exception {
        ComputeThread compute = new ComputeThread();
        Set<Thread> ran = ConcurrentHashMap.newKeySet();
        int[] inside = {0};
        int[] most = {0};
        ExecutorService callers = Executors.newFixedThreadPool(4);
        List<Future<?>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(callers.submit(() -> compute.run(() -> {
                ran.add(Thread.currentThread());
                most[0] = Math.max(most[0], ++inside[0]);
                Thread.onSpinWait();
                inside[0]--;
            })));
        }
        for (Future<?> f : calls) {
            f.get();
        }
        callers.shutdown();
        assertEquals(1, ran.size(), "one thread for all work");
        assertEquals("fedgan-compute", ran.iterator().next().getName());
        assertEquals(1, most[0], "never two pieces of work at once");

        // Work that calls back into the compute thread runs at once instead of waiting for itself.
        assertEquals(42, compute.call(() -> compute.call(() -> 42)));

        // The work's own exception reaches the caller unchanged.
        IllegalArgumentException bad = new IllegalArgumentException("wrong shape");
        assertSame(bad, assertThrows(IllegalArgumentException.class, () -> compute.run(() -> {
            throw bad;
        })));
        compute.onStop(null);
    }

    @Test
    void aWarmUpRunsOnTheComputeThreadBeforeLaterWorkAndANegativeOneIsRefused() {
        ComputeThread compute = new ComputeThread();
        List<String> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        compute.warmUp("steps", 3, n -> {
            order.add(Thread.currentThread().getName() + " warm-up of " + n);
            return new StepWarmUp.Result(n, 0, 0);
        });
        compute.run(() -> order.add("work"));
        assertEquals(List.of("fedgan-compute warm-up of 3", "work"), order);
        compute.warmUp("steps", 0, n -> {
            throw new AssertionError("0 steps must run nothing");
        });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> compute.warmUp("generator steps", -5, StepWarmUp::generatorSteps));
        assertEquals("warm-up of generator steps: the number of steps must be ≥ 0, got -5", e.getMessage());
        compute.onStop(null);
    }
}

package dev.fedgan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The progress lines as a CI log shows them (not a terminal: one line per 10%), on a clock the test moves. */
class TerminalProgressTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final TerminalProgress bar =
            new TerminalProgress(new PrintStream(out, true, StandardCharsets.UTF_8), false, nanos::get);

    private List<String> lines() {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private void seconds(long s) {
        nanos.addAndGet(s * 1_000_000_000L);
    }

    @Test
    void aCountShowsTheElapsedTimeAndNoRate() {
        bar.startCount("starting services", 4, "services");
        seconds(7);
        bar.advance(1, "filter ready");
        seconds(14);
        bar.advance(3, "aggregator ready");
        bar.finish("all ready");
        assertEquals(List.of(
                "starting services      [..............................]   0% 0/4 services, 0:00 elapsed",
                "starting services      [#######.......................]  25% 1/4 services, 0:07 elapsed  filter ready",
                "starting services      [##############################] 100% 4/4 services, 0:21 elapsed  aggregator ready",
                "starting services      [##############################] 100% 4/4 services, took 0:21  all ready"),
                lines());
    }

    @Test
    void aSlowRateIsNotRoundedToZero() {
        bar.start("training 2 GANs", 10, "rounds");
        seconds(12);
        bar.advance(1, null);
        assertEquals("training 2 GANs        [###...........................]  10% 1/10 rounds, 0.083 rounds/s, "
                + "ETA 1:48", lines().get(1));
    }

    @Test
    void aFastRateShowsWholeUnits() {
        bar.start("measuring writers", 5000, "examples");
        seconds(2);
        bar.advance(1000, "acc 0.91");
        assertEquals("measuring writers      [######........................]  20% 1000/5000 examples, 500 examples/s, "
                + "ETA 0:08  acc 0.91", lines().get(1));
        assertEquals("2.5", TerminalProgress.formatRate(2.5));
        assertEquals("0", TerminalProgress.formatRate(0));
    }
}

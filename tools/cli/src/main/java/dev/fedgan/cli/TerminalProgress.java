package dev.fedgan.cli;

import dev.fedgan.core.progress.Progress;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress bar on stderr: redrawn in place on a terminal, one line per 10% elsewhere (CI logs, pipes), so
 * stdout stays clean for {@code --json}. It shows the rate and an ETA, except for a {@link #startCount count}
 * (services starting), which shows the elapsed time instead.
 */
final class TerminalProgress implements Progress {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean interactive;
    private final LongSupplier nanoClock;
    private String task;
    private String unit;
    private boolean rate;
    private long total;
    private long done;
    private long startNanos;
    private long lastDraw;
    private int lastDecile;

    TerminalProgress(PrintStream out, boolean interactive) {
        this(out, interactive, System::nanoTime);
    }

    TerminalProgress(PrintStream out, boolean interactive, LongSupplier nanoClock) {
        this.out = out;
        this.interactive = interactive;
        this.nanoClock = nanoClock;
    }

    static Progress forStderr(boolean quiet) {
        return quiet ? Progress.NONE : new TerminalProgress(System.err, System.console() != null);
    }

    @Override
    public void start(String task, long total, String unit) {
        begin(task, total, unit, true);
    }

    @Override
    public void startCount(String task, long total, String unit) {
        begin(task, total, unit, false);
    }

    private void begin(String task, long total, String unit, boolean rate) {
        this.task = task;
        this.total = Math.max(1, total);
        this.unit = unit;
        this.rate = rate;
        this.done = 0;
        this.startNanos = nanoClock.getAsLong();
        this.lastDraw = 0;
        this.lastDecile = -1;
        draw(null, false);
    }

    @Override
    public void advance(long amount, String status) {
        done = Math.min(total, done + amount);
        long now = nanoClock.getAsLong();
        int decile = (int) (10 * done / total);
        if (interactive ? now - lastDraw > 100_000_000L || done == total : decile > lastDecile) {
            draw(status, false);
            lastDraw = now;
            lastDecile = decile;
        }
    }

    @Override
    public void finish(String summary) {
        done = total;
        draw(summary, true);
    }

    private void draw(String status, boolean last) {
        String line = line(status, last);
        if (interactive) {
            out.print("\r" + line + "\u001b[K" + (last ? "\n" : ""));
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** The bar's line, e.g. {@code [####....]  50% 2/4 services, 0:07 elapsed  aggregator ready} for a count. */
    String line(String status, boolean last) {
        double secs = (nanoClock.getAsLong() - startNanos) / 1e9;
        double perSecond = secs > 0 ? done / secs : 0;
        int filled = (int) (WIDTH * done / total);
        String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
        String time;
        if (last) {
            time = "took " + clock(secs);
        } else if (!rate) {
            time = clock(secs) + " elapsed";
        } else {
            time = formatRate(perSecond) + " " + unit + "/s, "
                    + (done == 0 || perSecond == 0 ? "ETA --:--" : "ETA " + clock((total - done) / perSecond));
        }
        return String.format(Locale.ROOT, "%-22s [%s] %3d%% %d/%d %s, %s%s", task, bar, 100 * done / total, done,
                total, unit, time, status == null ? "" : "  " + status);
    }

    /** Two significant digits below 10 (0.083 rounds/s, not 0), whole numbers above. */
    static String formatRate(double perSecond) {
        if (perSecond >= 10 || perSecond == 0) {
            return String.format(Locale.ROOT, "%.0f", perSecond);
        }
        return new BigDecimal(perSecond).round(new MathContext(2)).stripTrailingZeros()
                .toPlainString();
    }

    private static String clock(double secs) {
        long s = Math.round(secs);
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}

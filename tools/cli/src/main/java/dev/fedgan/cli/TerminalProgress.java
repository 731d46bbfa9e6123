package dev.fedgan.cli;

import dev.fedgan.core.progress.Progress;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on stderr: redrawn in place on a terminal, one line per 10% elsewhere (CI logs, pipes), so
 * stdout stays clean for {@code --json}.
 */
final class TerminalProgress implements Progress {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean interactive;
    private String task;
    private String unit;
    private long total;
    private long done;
    private long startNanos;
    private long lastDraw;
    private int lastDecile;

    TerminalProgress(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    static Progress forStderr(boolean quiet) {
        return quiet ? Progress.NONE : new TerminalProgress(System.err, System.console() != null);
    }

    @Override
    public void start(String task, long total, String unit) {
        this.task = task;
        this.total = Math.max(1, total);
        this.unit = unit;
        this.done = 0;
        this.startNanos = System.nanoTime();
        this.lastDraw = 0;
        this.lastDecile = -1;
        draw(null, false);
    }

    @Override
    public void advance(long amount, String status) {
        done = Math.min(total, done + amount);
        long now = System.nanoTime();
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
        double secs = (System.nanoTime() - startNanos) / 1e9;
        double rate = secs > 0 ? done / secs : 0;
        int filled = (int) (WIDTH * done / total);
        String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
        String eta = last ? String.format(Locale.ROOT, "took %s", clock(secs))
                : done == 0 || rate == 0 ? "ETA --:--" : "ETA " + clock((total - done) / rate);
        String line = String.format(Locale.ROOT, "%-22s [%s] %3d%% %d/%d %s, %.0f %s/s, %s%s", task, bar,
                100 * done / total, done, total, unit, rate, unit, eta, status == null ? "" : "  " + status);
        if (interactive) {
            out.print("\r" + line + "\u001b[K" + (last ? "\n" : ""));
        } else {
            out.println(line);
        }
        out.flush();
    }

    private static String clock(double secs) {
        long s = Math.round(secs);
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}

package dev.fedgan.core.privacy;

/** Log-space addition, as the RDP accountant sums its terms. */
final class LogMath {

    private LogMath() {
    }

    /** log(e^x + e^y), with log 0 = -infinity allowed. */
    static double logAdd(double x, double y) {
        double a = Math.min(x, y);
        double b = Math.max(x, y);
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        return Math.log1p(Math.exp(a - b)) + b;
    }
}

package dev.fedgan.core.privacy;

/**
 * The standard normal distribution function in log space, for the tests of the noise. Java has no erf, so
 * {@link #logNdtr} evaluates W. J. Cody's rational Chebyshev approximations (Cody 1969, "Rational Chebyshev
 * approximations for the error function", Math. Comp. 23, 631-637; the ANORM coefficient set of SPECFUN, ACM TOMS
 * Algorithm 715), about 1e-16 relative. In the tails the result is formed in log space (-x^2/2 plus the log of the
 * rational factor), so it stays accurate where Phi(x) itself underflows.
 */
final class NormalDistribution {

    private static final double LOG_2 = Math.log(2.0);
    private static final double SQRT_2 = Math.sqrt(2.0);
    private static final double SQRT_32 = Math.sqrt(32.0);
    private static final double INV_SQRT_2PI = 0.398942280401432677939946059934;
    private static final double LOG_SQRT_2PI = 0.918938533204672741780329736406;

    // |x| <= 0.67448975: Phi(x) = 1/2 + x * A(x^2) / B(x^2).
    private static final double[] A = {2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582,
        18154.981253343561249, 0.065682337918207449113};
    private static final double[] B = {47.20258190468824187, 976.09855173777669322, 10260.932208618978205,
        45507.789335026729956};
    // 0.67448975 < |x| <= sqrt(32): Phi(-|x|) = exp(-x^2/2) * C(|x|) / D(|x|).
    private static final double[] C = {0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979,
        597.27027639480026226, 2494.5375852903726711, 6848.1904505362823326, 11602.651437647350124,
        9842.7148383839780218, 1.0765576773720192317e-8};
    private static final double[] D = {22.266688044328115691, 235.38790178262499861, 1519.377599407554805,
        6485.558298266760755, 18615.571640885098091, 34900.952721145977266, 38912.003286093271411,
        19685.429676859990727};
    // |x| > sqrt(32): Phi(-|x|) = exp(-x^2/2) / |x| * (1/sqrt(2 pi) - P(1/x^2) / Q(1/x^2) / x^2).
    private static final double[] P = {0.21589853405795699, 0.1274011611602473639, 0.022235277870649807,
        0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303};
    private static final double[] Q = {1.28426009614491121, 0.468238212480865118, 0.0659881378689285515,
        0.00378239633202758244, 7.29751555083966205e-5};

    private NormalDistribution() {
    }

    /** log Phi(x), Phi the standard normal distribution function; accurate in both tails. */
    static double logNdtr(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double y = Math.abs(x);
        if (y <= 0.67448975) {
            double xnum = 0;
            double xden = 0;
            if (y > 0x1p-53) {
                double xsq = x * x;
                xnum = A[4] * xsq;
                xden = xsq;
                for (int i = 0; i < 3; i++) {
                    xnum = (xnum + A[i]) * xsq;
                    xden = (xden + B[i]) * xsq;
                }
            }
            double temp = x * (xnum + A[3]) / (xden + B[3]);
            return Math.log(0.5 + temp);
        }
        double logLower; // log Phi(-y)
        if (y <= SQRT_32) {
            double xnum = C[8] * y;
            double xden = y;
            for (int i = 0; i < 7; i++) {
                xnum = (xnum + C[i]) * y;
                xden = (xden + D[i]) * y;
            }
            logLower = halfSquareNeg(y) + Math.log((xnum + C[7]) / (xden + D[7]));
        } else if (y < 1e150) {
            double xsq = 1.0 / (y * y);
            double xnum = P[5] * xsq;
            double xden = xsq;
            for (int i = 0; i < 4; i++) {
                xnum = (xnum + P[i]) * xsq;
                xden = (xden + Q[i]) * xsq;
            }
            double temp = xsq * (xnum + P[4]) / (xden + Q[4]);
            logLower = halfSquareNeg(y) + Math.log((INV_SQRT_2PI - temp) / y);
        } else {
            // The rational correction is below one ulp here; -y^2/2 may overflow to -infinity, which is then exact
            // enough (the true value is not representable either).
            logLower = -0.5 * y * y - Math.log(y) - LOG_SQRT_2PI;
        }
        return x < 0 ? logLower : Math.log1p(-Math.exp(logLower));
    }

    /** -y^2/2, with y^2 split as in Cody's code (y = ysq + rest, ysq a multiple of 1/16) to keep its bits. */
    private static double halfSquareNeg(double y) {
        double ysq = Math.floor(y * 16) / 16;
        double del = (y - ysq) * (y + ysq);
        return -ysq * ysq * 0.5 - del * 0.5;
    }

    /** log erfc(x) = log 2 + log Phi(-x sqrt 2); accurate far into the tail (erfc(x) < 1e-300 is fine). */
    static double logErfc(double x) {
        return LOG_2 + logNdtr(-x * SQRT_2);
    }
}

package dev.fedgan.core.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Log-space arithmetic, and the normal distribution function the noise tests depend on. */
class LogMathTest {

    /** ln erfc(x), computed by us with mpmath at 40 digits, printed to 20 significant digits. */
    private static final double[][] LOG_ERFC = {
        {-5.0, 0.69314718055917657952},
        {-1.0, 0.61123231767807049464},
        {-0.3, 0.28414589714140825002},
        {0.1, -0.11930497373739560532},
        {0.47, -0.6807148845816810778},
        {0.48, -0.69866169899541378297},
        {0.5, -0.73501112983708440303},
        {1.0, -1.8496055099332482486},
        {2.0, -5.3649412646166375745},
        {3.9, -17.173871216435402812},
        {4.1, -18.821154183082647822},
        {10.0, -102.87988902484488857},
        {26.0, -679.83119976319423026},
        {27.0, -732.86888650789741098},
        {30.0, -903.97411711064387808},
        {100.0, -10005.177585122664333},
        {742.0, -550571.18171509424965},
        {1e5, -10000000012.085290408},
        {1e10, -1.0000000000000000002e+20},
    };

    @Test
    void logErfcIsAccurateFromTheBulkToTheFarTail() {
        assertEquals(0.0, NormalDistribution.logErfc(0.0), 1e-16);
        for (double[] c : LOG_ERFC) {
            double x = c[0];
            double expected = c[1];
            // Relative 1e-14: a few ulps, including the rounding of x * sqrt(2) before the normal tail.
            assertEquals(expected, NormalDistribution.logErfc(x), Math.abs(expected) * 1e-14, "ln erfc(" + x + ")");
        }
        assertEquals(Double.NEGATIVE_INFINITY, NormalDistribution.logErfc(1e200));
        assertEquals(Math.log(2), NormalDistribution.logErfc(-1e200), 0);
    }

    @Test
    void logSpaceArithmetic() {
        assertEquals(Math.log(5), LogMath.logAdd(Math.log(2), Math.log(3)), 1e-15);
        assertEquals(Math.log(3), LogMath.logAdd(Double.NEGATIVE_INFINITY, Math.log(3)), 0);
    }
}

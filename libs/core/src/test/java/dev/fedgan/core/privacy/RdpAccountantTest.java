package dev.fedgan.core.privacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.io.Json;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The RDP accountant against the golden values of reference section 7 (tensorflow_privacy's rdp_accountant_test and
 * compute_dp_sgd_privacy_test) and the illustrative values of section 6.
 *
 * <p>Tolerances: where the table prints a value with fewer digits than 1e-6 relative would need, the assertion
 * allows half a unit of the last printed digit ({@link #assertPrinted}), or one unit where the printed value is
 * truncated rather than rounded ({@link #assertTruncated}); the values printed with 7+ significant digits are
 * asserted to 1e-6 relative. "Port" values are ours: a Python port of rdp_accountant.py using scipy's log_ndtr.
 */
class RdpAccountantTest {

    private static final double INF = Double.POSITIVE_INFINITY;

    /** Asserts {@code actual} equals the printed decimal {@code printed} to half a unit of its last digit. */
    private static void assertPrinted(String printed, double actual, String what) {
        BigDecimal p = new BigDecimal(printed);
        double halfUlp = 0.5 * Math.pow(10, -p.scale());
        assertEquals(p.doubleValue(), actual, halfUlp * (1 + 1e-9), what + " (printed as " + printed + ")");
    }

    /** Like {@link #assertPrinted} but allowing a whole unit of the last digit (the printed value is truncated). */
    private static void assertTruncated(String printed, double actual, String what) {
        BigDecimal p = new BigDecimal(printed);
        double ulp = Math.pow(10, -p.scale());
        assertEquals(p.doubleValue(), actual, ulp * (1 + 1e-9), what + " (printed, truncated, as " + printed + ")");
    }

    /**
     * One-step RDP against the port: 1e-9 relative, or 1e-13 absolute. The fractional series stops once its terms
     * are below e^-30 (tensorflow_privacy's rule, kept), so ln A carries an absolute error of that order anyway:
     * for q = 1e-4, z = 0.4, alpha = 1.25 both implementations are 1.5e-7 relative away from a 60-digit evaluation.
     */
    private static void assertRdp(double expected, double actual, String what) {
        assertEquals(expected, actual, Math.max(1e-13, Math.abs(expected) * 1e-9), what);
    }

    private static void assertRelative(double expected, double actual, double rel, String what) {
        assertEquals(expected, actual, Math.abs(expected) * rel, what);
    }

    private static double[] range(int from, int toInclusive) {
        double[] o = new double[toInclusive - from + 1];
        for (int i = 0; i < o.length; i++) {
            o[i] = from + i;
        }
        return o;
    }

    private static List<Double> list(double... xs) {
        List<Double> l = new ArrayList<>();
        for (double x : xs) {
            l.add(x);
        }
        return l;
    }

    // --- Section 7 table, rdp_accountant_test -------------------------------------------------------------------

    @Test
    void rdpOfOneIntegerOrder() {
        // q = 0.1, sigma = 2, T = 10, alpha = 5: 0.07737 (table rounded to 5 decimals).
        double[] r = RdpAccountant.rdp(0.1, 2, 10, new double[] {5});
        assertPrinted("0.07737", r[0], "RDP(q=0.1, sigma=2, T=10, alpha=5)");
        // Cross-check, ours: a Python port of rdp_accountant.py (scipy log_ndtr) gives 0.07736968489795912.
        assertRelative(0.07736968489795912, r[0], 1e-12, "RDP(q=0.1, sigma=2, T=10, alpha=5) full precision");
    }

    @Test
    void rdpAtFractionalIntegerAndInfiniteOrders() {
        double[] orders = {1.5, 2.5, 5, 50, 100, INF};
        double[] r = RdpAccountant.rdp(0.01, 2.5, 50, orders);
        // The table prints 0.00065, 0.001085, 0.00218075, 0.023846 with 2 to 6 significant digits (tensorflow_privacy's
        // own test checks them to 1e-5 absolute): they are held to half a unit of their last printed digit, except
        // 0.00218075, which is truncated (the value is 0.0021807566, as the port also gives): one unit there.
        // 167.416307 has 9 digits: 1e-6 relative.
        assertPrinted("0.00065", r[0], "alpha=1.5");
        assertPrinted("0.001085", r[1], "alpha=2.5");
        assertTruncated("0.00218075", r[2], "alpha=5");
        assertPrinted("0.023846", r[3], "alpha=50");
        assertRelative(167.416307, r[4], 1e-6, "alpha=100");
        assertEquals(INF, r[5], "alpha=inf");
        // Cross-check, ours (Python port of rdp_accountant.py with scipy): full precision.
        double[] port = {0.0006500708974468719, 0.0010854180568268625, 0.0021807565623077614, 0.023846037538705817,
            167.41630754841827};
        for (int i = 0; i < port.length; i++) {
            assertRdp(port[i], r[i], "alpha=" + orders[i] + " full precision");
        }
    }

    @Test
    void rdpWithoutSamplingIsTheGaussianMechanism() {
        assertEquals(0.1, RdpAccountant.rdp(1, 10, 1, new double[] {20})[0], 1e-15);
        assertEquals(0.0, RdpAccountant.rdp(0, 10, 1, new double[] {20, 1.5, INF})[2]);
        assertEquals(INF, RdpAccountant.rdp(0.5, 0, 1, new double[] {2})[0], "no noise, no privacy");
        assertEquals(0.0, RdpAccountant.rdp(0.5, 1, 0, new double[] {2, INF})[1], "no steps, no loss");
    }

    /**
     * RDP from its definition, A = E[(1 - q + q exp((2x - 1)/(2 z^2)))^alpha] over x ~ N(0, z^2), computed in 40
     * digits with mpmath (exact binomial sum for integer alpha, quadrature for fractional alpha): where
     * tensorflow_privacy's series stops early (large q at small z; A within 1e-8 of 1) and where its plain sum of A
     * loses digits (q = 1e-6), to 1e-10 relative.
     */
    @Test
    void rdpEqualsItsDefinitionComputedInFortyDigits() {
        double[][] cases = {
            {10015.0 / 60038, 0.8693, 1.25, 0.036102961067243537}, // tensorflow_privacy: 0.0361026934 (7e-6 low)
            {10015.0 / 60038, 0.8693, 1.75, 0.05906206045431128}, // dp_accounting 0.6: 0.0641 (abs. series)
            {2.16e-05, 0.549, 2.5, 1.5555996897534859e-8}, // tensorflow_privacy: 6e-7 relative low
            {0.0423, 0.749, 1.25, 0.004544188604945832},
            {1e-6, 1.0, 20, 1.7183654209069124e-11}, // the plain sum of A: 2e-7 relative off
            {1e-5, 1.0, 8, 6.874242089169844e-10},
            {0.2, 1.0, 2.25, 0.080263937601350622},
            {0.01, 0.3, 4.5, 19.0790669037296},
        };
        for (double[] c : cases) {
            assertRelative(c[3], RdpAccountant.rdp(c[0], c[1], c[2]), 1e-10,
                    "RDP(q=" + c[0] + ", z=" + c[1] + ", alpha=" + c[2] + ")");
        }
    }

    /**
     * More (q, z, alpha, RDP) points, ours: the Python port of rdp_accountant.py, covering both series; where its
     * series stops early (marked) the value is the definition's in 40 digits.
     */
    @Test
    void rdpMatchesAPortOfTensorflowPrivacyAcrossRegimes() {
        double[][] cases = {
            {0.0001, 0.4, 1.25, 2.2741011529589467e-06}, // the port: 2.2741015159e-06, its series stops early
            {0.0001, 0.4, 1.5, 2.9733101260693105e-06}, // the port: 2.9733099628e-06
            {0.0001, 0.4, 1.75, 3.877407551015836e-06}, // the port: 3.8774076608e-06
            {0.0001, 0.4, 2.5, 1.1874117016845102e-05}, // the port: 1.1874117076e-05
            {0.0001, 0.4, 3.5, 0.003011627610082194},
            {0.3, 0.7, 1.25, 0.18513140443768483},
            {0.3, 0.7, 1.5, 0.25595572639898845},
            {0.3, 0.7, 2.75, 1.0718254612925904},
            {0.3, 0.7, 3.5, 1.9093992420505128},
            {0.3, 0.7, 12.5, 11.446435949320467},
            {0.3, 0.7, 100.5, 101.33494737464814},
            {1.024e-05, 0.1, 1.25, 6.0497073317455845},
            {1.024e-05, 0.1, 1.5, 40.53237318810011},
            {1.024e-05, 0.1, 2.0, 77.02158212329417},
            {1.024e-05, 0.1, 4.5, 210.2281599364034},
            {0.5, 1.0, 1.25, 0.18403840772718372},
            {0.5, 1.0, 1.5, 0.23515803448265105},
            {0.5, 1.0, 2.5, 0.5105603809236542},
            {0.5, 1.0, 4.5, 1.4012105945097357},
            {0.9, 3.0, 1.25, 0.05642062076798383},
            {0.9, 3.0, 2.0, 0.09092827114187771},
            {0.9, 3.0, 7.5, 0.3569347814587124},
        };
        for (double[] c : cases) {
            assertRdp(c[3], RdpAccountant.rdp(c[0], c[1], c[2]),
                    "RDP(q=" + c[0] + ", z=" + c[1] + ", alpha=" + c[2] + ")");
        }
    }

    @Test
    void epsilonOfTenThousandSteps() {
        double[] orders = range(2, 32);
        double[] r = RdpAccountant.rdp(0.01, 4, 10_000, orders);
        Epsilon original = RdpAccountant.epsilon(orders, r, 1e-5, Conversion.ORIGINAL);
        // 1.258575 printed with 7 significant digits: 1e-6 relative.
        assertRelative(1.258575, original.epsilon(), 1e-6, "original");
        assertEquals(20.0, original.order());
        Epsilon improved = RdpAccountant.epsilon(orders, r, 1e-5, Conversion.IMPROVED);
        assertRelative(1.035490, improved.epsilon(), 1e-6, "improved");
        assertEquals(17.0, improved.order());
    }

    @Test
    void compositionOfHeterogeneousSteps() {
        List<Double> orders = list(1.25, 1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 64, 256);
        RdpAccountant acc = new RdpAccountant(orders).addSteps(1e-4, 0.4, 40_000).addSteps(0.1, 2, 100);
        Epsilon original = acc.epsilon(1e-5, Conversion.ORIGINAL);
        assertRelative(8.509656, original.epsilon(), 1e-6, "original");
        assertEquals(2.5, original.order());
        Epsilon improved = acc.epsilon(1e-5, Conversion.IMPROVED);
        assertRelative(7.387970, improved.epsilon(), 1e-6, "improved");
        assertEquals(2.5, improved.order());
        assertEquals(40_100, acc.totalSteps());
    }

    @Test
    void improvedRuleOnAConstantRdp() {
        double[] orders = range(2, 32);
        double[] r = new double[orders.length];
        java.util.Arrays.fill(r, 1.1);
        Epsilon e = RdpAccountant.epsilon(orders, r, 1e-5, Conversion.IMPROVED);
        assertRelative(1.32783806, e.epsilon(), 1e-6, "improved, constant RDP 1.1");
        assertEquals(32.0, e.order());
    }

    @Test
    void improvedRuleDetails() {
        // Orders <= 1.01 are skipped, and the KL bound gives 0 when delta^2 + e^-RDP - 1 >= 0.
        Epsilon onlyLow = RdpAccountant.epsilon(new double[] {1.005, 1.01}, new double[] {0.5, 0.5}, 1e-5,
                Conversion.IMPROVED);
        assertEquals(INF, onlyLow.epsilon());
        Epsilon kl = RdpAccountant.epsilon(new double[] {1.005, 2}, new double[] {1e-12, 1}, 1e-5, Conversion.IMPROVED);
        assertEquals(0.0, kl.epsilon());
        assertEquals(1.005, kl.order());
        // Floored at 0: a tiny RDP at a large order.
        Epsilon floor = RdpAccountant.epsilon(new double[] {512}, new double[] {1e-6}, 0.5, Conversion.IMPROVED);
        assertEquals(0.0, floor.epsilon());
        // At every order > 1.01 it is below the original rule.
        double[] orders = RdpAccountant.DEFAULT_ORDERS.stream().mapToDouble(Double::doubleValue).toArray();
        double[] r = RdpAccountant.rdp(0.02, 1.1, 500, orders);
        assertTrue(RdpAccountant.epsilon(orders, r, 1e-6, Conversion.IMPROVED).epsilon()
                < RdpAccountant.epsilon(orders, r, 1e-6, Conversion.ORIGINAL).epsilon());
    }

    // --- Section 7 table, compute_dp_sgd_privacy_test: 9+ digits, asserted to 1e-6 relative -----------------------

    @Test
    void computeDpSgdPrivacyGoldenValues() {
        check(PrivacyCalculator.forEpochs(60_000, 150, 1.3, 15, 1e-5), 0.941870567, 19, 0.7242234026, 19);
        check(PrivacyCalculator.forEpochs(100_000, 100, 1.0, 30, 1e-7), 1.70928734, 13, 1.4154988495, 13);
        check(PrivacyCalculator.forEpochs(100_000_000, 1024, 0.1, 10, 1e-7), 5907984.81339406, 1.25,
                5907982.31138195, 1.25);
    }

    private static void check(PrivacyEstimate e, double original, double originalOrder, double improved,
                              double improvedOrder) {
        assertRelative(original, e.epsilonOriginal(), 1e-6, "original " + e);
        assertEquals(originalOrder, e.bestOrderOriginal(), "original order");
        assertRelative(improved, e.epsilonImproved(), 1e-6, "improved " + e);
        assertEquals(improvedOrder, e.bestOrderImproved(), "improved order");
    }

    @Test
    void computeDpSgdPrivacyDocstringExample() {
        PrivacyEstimate e = PrivacyCalculator.forEpochs(60_000, 256, 1.12, 60, 1e-5);
        assertEquals(14_063, e.steps(), "ceil(60 * 60000 / 256)");
        assertPrinted("2.92", e.epsilonOriginal(), "docstring's epsilon");
        // The table's own (ours) values, printed to 5 significant digits.
        assertPrinted("2.9224", e.epsilonOriginal(), "original");
        assertPrinted("2.5216", e.epsilonImproved(), "improved");
        assertEquals(8.0, e.bestOrderImproved(), "improved order (the table's alpha = 8)");
        // The original rule's best order is 9 (our Python port agrees: 2.9223548504732753 at alpha = 9).
        assertEquals(9.0, e.bestOrderOriginal(), "original order");
        assertRelative(2.9223548504732753, e.epsilonOriginal(), 1e-9, "original, full precision (port)");
        assertRelative(2.521558861806313, e.epsilonImproved(), 1e-9, "improved, full precision (port)");
    }

    // --- Section 6, illustrative values (old conversion, default orders, delta 1e-5, T 1000, m 10) ----------------

    @Test
    void illustrativeValuesOfTheReferenceExperiments() {
        PrivacyEstimate n850 = PrivacyCalculator.forPopulation(850, 10, 0.01, 1000, 1e-5);
        PrivacyEstimate n3400 = PrivacyCalculator.forPopulation(3400, 10, 0.01, 1000, 1e-5);
        // Printed as 6.23e6 and 6.22e6 (3 significant digits): half a unit of 0.01e6.
        assertEquals(6.23e6, n850.epsilonOriginal(), 0.005e6);
        assertEquals(6.22e6, n3400.epsilonOriginal(), 0.005e6);
        assertEquals(1.25, n850.bestOrderOriginal());
        assertEquals(1.25, n3400.bestOrderOriginal());
        assertPrinted("2.95", PrivacyCalculator.forPopulation(850, 10, 1.0, 1000, 1e-5).epsilonOriginal(), "N=850, z=1");
        assertPrinted("1.25", PrivacyCalculator.forPopulation(3400, 10, 1.0, 1000, 1e-5).epsilonOriginal(), "N=3400, z=1");
    }

    // --- The stateful accountant -------------------------------------------------------------------------------

    @Test
    void stepsComposeAdditivelyAndConsecutiveEntriesMerge() {
        RdpAccountant acc = new RdpAccountant();
        for (int i = 0; i < 100; i++) {
            acc.addSteps(10.0 / 850, 1.0, 1);
        }
        assertEquals(1, acc.steps().size());
        assertEquals(new RdpAccountant.Steps(10.0 / 850, 1.0, 100), acc.steps().get(0));
        double[] direct = RdpAccountant.rdp(10.0 / 850, 1.0, 100,
                RdpAccountant.DEFAULT_ORDERS.stream().mapToDouble(Double::doubleValue).toArray());
        assertArrayEquals(direct, acc.rdp(), 0);
        acc.addSteps(0.5, 2.0, 3).addSteps(10.0 / 850, 1.0, 0);
        assertEquals(2, acc.steps().size());
        assertEquals(103, acc.totalSteps());
        assertEquals(RdpAccountant.DEFAULT_ORDERS.size(), 72);
        assertEquals(0.0, new RdpAccountant().epsilon(0.5, Conversion.IMPROVED).epsilon());
    }

    @Test
    void stateSurvivesAJsonRoundTripExactly() throws Exception {
        RdpAccountant acc = new RdpAccountant(list(1.5, 2, 3.25, 32, INF))
                .addSteps(0.01, 1.1, 250).addSteps(0.02, 0.8, 7).addSteps(0.01, 1.1, 3);
        String json = acc.toJson();
        assertTrue(json.contains("\"noise_multiplier\""), json);
        RdpAccountant back = RdpAccountant.fromJson(json);
        assertEquals(acc.state(), back.state());
        assertArrayEquals(acc.rdp(), back.rdp(), 0);
        for (Conversion c : Conversion.values()) {
            assertEquals(acc.epsilon(1e-6, c), back.epsilon(1e-6, c));
        }
        // Also through the Json helper's file format (what a checkpoint uses).
        RdpAccountant.State viaMapper = Json.MAPPER.readValue(Json.toString(acc.state()), RdpAccountant.State.class);
        assertEquals(acc.state(), viaMapper);
        // Continuing after a restore equals never having stopped.
        acc.addSteps(0.01, 1.1, 10);
        back.addSteps(0.01, 1.1, 10);
        assertArrayEquals(acc.rdp(), back.rdp(), 0);
    }

    @Test
    void badStateIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RdpAccountant.fromJson("{\"orders\":[2.0],\"steps\":[{\"q\":1.5,\"noise_multiplier\":1,\"count\":1}]}"));
        assertTrue(e.getMessage().contains("sampling rate q must be in [0, 1], got 1.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RdpAccountant.fromJson("{\"orders\":[2.0]}"));
        assertThrows(IllegalArgumentException.class, () -> RdpAccountant.fromJson("not json"));
    }

    // --- Bad parameters --------------------------------------------------------------------------------------------

    @Test
    void absurdParametersAreRejectedWithTheirValue() {
        RdpAccountant acc = new RdpAccountant();
        assertMessage("sampling rate q must be in [0, 1], got 1.5", () -> acc.addSteps(1.5, 1, 1));
        assertMessage("sampling rate q must be in [0, 1], got -0.1", () -> acc.addSteps(-0.1, 1, 1));
        assertMessage("sampling rate q must be in [0, 1], got NaN", () -> acc.addSteps(Double.NaN, 1, 1));
        assertMessage("noise multiplier must be >= 0, got -1.0", () -> acc.addSteps(0.1, -1, 1));
        assertMessage("noise multiplier must be >= 0, got NaN", () -> acc.addSteps(0.1, Double.NaN, 1));
        assertMessage("noise multiplier must be finite, got Infinity", () -> acc.addSteps(0.1, INF, 1));
        assertMessage("steps must be >= 0, got -1", () -> acc.addSteps(0.1, 1, -1));
        assertMessage("delta must be in (0, 1), got 0.0", () -> acc.epsilon(0, Conversion.ORIGINAL));
        assertMessage("delta must be in (0, 1), got 1.0", () -> acc.epsilon(1, Conversion.IMPROVED));
        assertMessage("delta must be in (0, 1), got NaN", () -> acc.epsilon(Double.NaN, Conversion.IMPROVED));
        assertMessage("Renyi order must be in (1, 1000000] or Infinity, got 1.0", () -> new RdpAccountant(list(1.0)));
        assertMessage("Renyi order must be in (1, 1000000] or Infinity, got NaN", () -> RdpAccountant.rdp(0.1, 1, Double.NaN));
        assertMessage("orders must not be empty", () -> new RdpAccountant(List.of()));
        assertEquals(0, acc.totalSteps(), "nothing was recorded by the failed calls");
    }

    static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(expected, e.getMessage());
    }
}

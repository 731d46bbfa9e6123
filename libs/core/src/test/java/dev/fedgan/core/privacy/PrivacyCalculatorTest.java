package dev.fedgan.core.privacy;

import static dev.fedgan.core.privacy.RdpAccountantTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.io.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The compute_dp_sgd_privacy equivalent and the statement reports embed. */
class PrivacyCalculatorTest {

    @Test
    void stepsAndDefaultDelta() {
        assertEquals(976_563, PrivacyCalculator.stepsForEpochs(100_000_000, 1024, 10), "ceil(1e9 / 1024)");
        assertEquals(6000, PrivacyCalculator.stepsForEpochs(60_000, 150, 15));
        // min(1e-5, N^-1.1): 850^-1.1 = 6.0e-4 is above 1e-5.
        assertEquals(1e-5, PrivacyCalculator.defaultDelta(850), 0);
        PrivacyEstimate e = PrivacyCalculator.forPopulation(850, 10, 1.0, 1000);
        assertTrue(e.deltaIsDefault());
        assertEquals(1e-5, e.delta(), 0);
        assertEquals(10.0 / 850, e.q(), 0);
        assertEquals(850L, e.population());
        assertEquals(10, e.sampledPerRound());
        assertEquals(RdpAccountant.DEFAULT_ORDERS, e.orders());
        assertTrue(e.samplingAssumption().startsWith("Poisson sampling"), e.samplingAssumption());
        assertFalse(e.samplingAssumption().contains("approximation"), e.samplingAssumption());
        assertTrue(e.epsilonImproved() < e.epsilonOriginal());
    }

    /**
     * The DP-SGD reference's section 1 table (independent accountant, original conversion, delta 1e-5): the noise
     * chosen for a target epsilon is the published setting's, and the published setting meets the target.
     */
    @Test
    void theNoiseForATargetEpsilonIsThePublishedSettings() {
        // Tramèr & Boneh's Fashion-MNIST CNN: B 2048, 40 epochs, z 2.15 -> epsilon 3.020.
        long t = PrivacyCalculator.stepsForEpochs(60_000, 2048, 40);
        assertEquals(1172, t);
        double z = PrivacyCalculator.noiseMultiplierFor(2048.0 / 60_000, t, 1e-5, 3.020, Conversion.ORIGINAL);
        assertEquals(2.15, z, 0.005);
        double eps = PrivacyCalculator.forSamplingRate(2048.0 / 60_000, z, t, 1e-5).epsilonOriginal();
        assertTrue(eps <= 3.020 && eps > 3.019, "epsilon " + eps + " at the chosen z " + z);
        // TF Privacy's MNIST tutorial, 60 epochs of B 256: z 1.1 -> epsilon 3.009.
        double tutorial = PrivacyCalculator.noiseMultiplierFor(256.0 / 60_000, 14_063, 1e-5, 3.009, Conversion.ORIGINAL);
        assertEquals(1.1, tutorial, 0.002);
        assertThrows(IllegalArgumentException.class,
                () -> PrivacyCalculator.noiseMultiplierFor(0.5, 1_000_000, 1e-9, 1e-4, Conversion.ORIGINAL));
    }

    @Test
    void defaultDeltaIsTheSmallerOf1eMinus5AndNToTheMinus1Point1() {
        // The demo's 25 writers: 25^-1.1 = 0.029 would be far above 1/N; the default is 1e-5.
        assertEquals(0.028991186547107813, Math.pow(25, -1.1), 1e-15);
        assertEquals(1e-5, PrivacyCalculator.defaultDelta(25), 0);
        assertEquals(1e-5, PrivacyCalculator.defaultDelta(2), 0);
        assertEquals(1e-5, PrivacyCalculator.defaultDelta(3400), 0);
        // 35,111^-1.1 = 1.00003e-5 > 1e-5 >= 35,112^-1.1 = 0.99999e-5: the switch to N^-1.1.
        assertEquals(1e-5, PrivacyCalculator.defaultDelta(35_111), 0);
        assertEquals(Math.pow(35_112, -1.1), PrivacyCalculator.defaultDelta(35_112), 0);
        assertTrue(PrivacyCalculator.defaultDelta(35_112) < 1e-5);
        // N = 10^6: N^-1.1 = 10^-6.6 = 2.5119e-7 is below 1e-5.
        assertEquals(Math.pow(10, -6.6), PrivacyCalculator.defaultDelta(1_000_000), 1e-14 * Math.pow(10, -6.6));
        assertEquals(Math.pow(1_000_000, -1.1), PrivacyCalculator.defaultDelta(1_000_000), 0);
        for (long n : new long[] {2, 25, 850, 3400, 35_111, 35_112, 1_000_000, 1L << 40}) {
            double d = PrivacyCalculator.defaultDelta(n);
            assertTrue(d <= 1e-5 && d <= Math.pow(n, -1.1) && d < 1.0 / n, "N = " + n + ": " + d);
        }
    }

    /**
     * Golden epsilons at the default delta. None comes from the Java code: each is from an independent stdlib-only
     * Python implementation (libs/core/src/test/python/rdp_golden.py, run with python3) of the sampled Gaussian's RDP
     * (integer orders by the binomial sum, fractional orders by the erfc series of tensorflow_privacy) and of both
     * conversions, over the orders of compute_dp_sgd_privacy, with delta = min(1e-5, N^-1.1) computed in Python; that script reproduces the reference's section 7 goldens
     * (0.941870567 / 0.7242234026, 1.70928734 / 1.4154988495) to 1e-9. N = 850, z = 1.0 and N = 3400, z = 1.0 also
     * match the reference's section 6 (epsilon ~ 2.95 and 1.25 at delta = 1e-5, original conversion).
     */
    @Test
    void goldenEpsilonsAtTheDefaultDelta() {
        // N = 850, m = 10, z = 1.0, T = 1000; delta = 1e-5 (850^-1.1 = 6.0e-4). Python: 2.950306669666603 (order 7),
        // improved 2.471837631663459 (order 7); reference section 6: 2.95.
        PrivacyEstimate n850 = PrivacyCalculator.forPopulation(850, 10, 1.0, 1000);
        assertEquals(1e-5, n850.delta(), 0);
        assertRelative(2.950306669666603, n850.epsilonOriginal(), 1e-9);
        assertEquals(7.0, n850.bestOrderOriginal());
        assertRelative(2.471837631663459, n850.epsilonImproved(), 1e-9);
        assertEquals(7.0, n850.bestOrderImproved());
        // N = 3400, m = 10, z = 1.0, T = 1000; delta = 1e-5. Python: 1.2533908430826461 / 0.9182911359984841
        // (order 11); reference section 6: 1.25.
        PrivacyEstimate n3400 = PrivacyCalculator.forPopulation(3400, 10, 1.0, 1000);
        assertRelative(1.2533908430826461, n3400.epsilonOriginal(), 1e-9);
        assertRelative(0.9182911359984841, n3400.epsilonImproved(), 1e-9);
        assertEquals(11.0, n3400.bestOrderImproved());
        // The demo's N = 25, m = 5, z = 1.0, T = 100; delta = 1e-5 (was 0.029). Python: 17.236734132104168 /
        // 16.00020329422899, both at the fractional order 2.25.
        PrivacyEstimate n25 = PrivacyCalculator.forPopulation(25, 5, 1.0, 100);
        assertEquals(1e-5, n25.delta(), 0);
        assertRelative(17.236734132104168, n25.epsilonOriginal(), 1e-9);
        assertRelative(16.00020329422899, n25.epsilonImproved(), 1e-9);
        assertEquals(2.25, n25.bestOrderOriginal());
        // N = 10^6, m = 1000, z = 1.0, T = 1000; delta = 10^-6.6 = 2.511886431509577e-7. Python: 1.278625557794284 /
        // 0.9848370703322862 (order 13).
        PrivacyEstimate n1e6 = PrivacyCalculator.forPopulation(1_000_000, 1000, 1.0, 1000);
        assertRelative(2.511886431509577e-7, n1e6.delta(), 1e-12);
        assertRelative(1.278625557794284, n1e6.epsilonOriginal(), 1e-9);
        assertRelative(0.9848370703322862, n1e6.epsilonImproved(), 1e-9);
        assertEquals(13.0, n1e6.bestOrderOriginal());
        // The statement says the delta is the default, and which one.
        PrivacyStatement s = PrivacyStatement.of(25, 5, 1.0, 0.1, 100, null, true);
        assertTrue(s.deltaIsDefault());
        assertEquals(1e-5, s.delta(), 0);
        assertTrue(s.paragraph().contains("the default min(1e-5, 1/N^1.1)"), s.paragraph());
    }

    private static void assertRelative(double expected, double actual, double tolerance) {
        assertEquals(expected, actual, tolerance * Math.abs(expected), "relative " + tolerance);
    }

    @Test
    void samplingRateDirectlyEqualsPopulationForm() {
        PrivacyEstimate byRate = PrivacyCalculator.forSamplingRate(150.0 / 60_000, 1.3, 6000, 1e-5);
        PrivacyEstimate byEpochs = PrivacyCalculator.forEpochs(60_000, 150, 1.3, 15, 1e-5);
        assertEquals(byEpochs.epsilonOriginal(), byRate.epsilonOriginal(), 0);
        assertEquals(byEpochs.epsilonImproved(), byRate.epsilonImproved(), 0);
        assertNull(byRate.population());
        // Golden value of section 7 (compute_dp_sgd_privacy_test): 1e-6 relative.
        assertEquals(0.941870567, byRate.epsilonOriginal(), 0.941870567e-6);
        // With q and N, N only defaults delta.
        PrivacyEstimate qAndN = PrivacyCalculator.estimate(850L, null, 10.0 / 850, 1.0, 1000, null, null);
        assertEquals(PrivacyCalculator.forPopulation(850, 10, 1.0, 1000).epsilonOriginal(), qAndN.epsilonOriginal(), 0);
    }

    @Test
    void customOrders() {
        PrivacyEstimate e = PrivacyCalculator.estimate(null, null, 0.01, 4.0, 10_000, 1e-5,
                List.of(2.0, 20.0, 32.0));
        assertEquals(20.0, e.bestOrderOriginal());
        assertEquals(1.258575, e.epsilonOriginal(), 1.258575e-6);
    }

    @Test
    void badCombinationsAndValues() {
        assertMessage("delta not given: the default min(1e-5, 1/N^1.1) needs the population N",
                () -> PrivacyCalculator.estimate(null, null, 0.1, 1.0, 10, null, null));
        assertMessage("give either the sampling rate q or the clients per round m, not both",
                () -> PrivacyCalculator.estimate(100L, 10, 0.1, 1.0, 10, null, null));
        assertMessage("the sampling rate needs q, or both the population N and the clients per round m",
                () -> PrivacyCalculator.estimate(100L, null, null, 1.0, 10, null, null));
        assertMessage("clients per round must be in [1, N = 850], got 900",
                () -> PrivacyCalculator.forPopulation(850, 900, 1.0, 10));
        assertMessage("population N must be >= 1, got 0", () -> PrivacyCalculator.forPopulation(0, 1, 1.0, 10));
        assertMessage("the default delta min(1e-5, 1/N^1.1) needs a population N >= 2, got 1",
                () -> PrivacyCalculator.forPopulation(1, 1, 1.0, 10));
        assertMessage("steps must be >= 0, got -5", () -> PrivacyCalculator.forPopulation(850, 10, 1.0, -5));
        assertMessage("noise multiplier must be >= 0, got -1.0", () -> PrivacyCalculator.forPopulation(850, 10, -1, 5));
        assertMessage("delta must be in (0, 1), got 1.5", () -> PrivacyCalculator.forSamplingRate(0.1, 1, 5, 1.5));
        assertMessage("epochs must be a finite number > 0, got 0.0", () -> PrivacyCalculator.stepsForEpochs(100, 10, 0));
        assertMessage("batch size must be in [1, N = 100], got 0", () -> PrivacyCalculator.stepsForEpochs(100, 0, 1));
    }

    @Test
    void statementForTheReferenceExperiment() throws Exception {
        PrivacyStatement s = PrivacyStatement.of(850, 10, 0.01, 0.1, 1000, 1e-5, false);
        assertTrue(s.differentiallyPrivate());
        assertEquals("user", s.unit());
        assertEquals("Poisson, q = m/N = 10/850: each client of the population (size N = 850) takes part in a round"
                + " independently with probability q (10 expected per round); the accountant's q is exact",
                s.samplingScheme());
        assertTrue(s.accounted().contains("divided by the fixed qN = m"), s.accounted());
        assertEquals(6.23e6, s.epsilonOriginal(), 0.005e6);
        assertEquals(1.25, s.bestOrderOriginal());
        String p = s.paragraph();
        assertTrue(p.contains("vacuous"), p);
        assertTrue(p.contains("seeded"), p);
        assertTrue(p.contains("probability q = m/N = 0.01176 (Poisson sampling, 10 expected per round"), p);
        assertTrue(p.contains("divided by the fixed m = qN"), p);
        assertFalse(p.contains("without replacement") || p.contains("approximation"), p);
        assertTrue(p.contains("S = 0.1,"), p);
        String json = Json.toString(s);
        assertTrue(json.contains("\"epsilon_original\""), json);
        assertTrue(json.contains("\"secure_noise\" : false"), json);
        assertFalse(json.contains("paragraph"), json);
        assertEquals(s, Json.MAPPER.readValue(json, PrivacyStatement.class));
    }

    @Test
    void statementFromARunningAccountant() throws Exception {
        RdpAccountant acc = new RdpAccountant();
        for (int round = 0; round < 1000; round++) {
            acc.addSteps(10.0 / 3400, 1.0, 1);
        }
        PrivacyStatement s = PrivacyStatement.of(acc, 3400, 10, 1.0, 0.1, null, 1e-5, true);
        PrivacyStatement direct = PrivacyStatement.of(3400, 10, 1.0, 0.1, 1000, 1e-5, true);
        assertEquals(direct, s);
        assertEquals(1.25, s.epsilonOriginal(), 0.005, "section 6: 1.25 for N = 3,400, z = 1.0");
        String p = s.paragraph();
        assertTrue(p.contains("secure random source"), p);
        assertFalse(p.contains("vacuous"), p);
        assertThrows(IllegalArgumentException.class, () -> PrivacyStatement.of(acc, 850, 10, 1.0, 0.1, null, 1e-5, true));
        assertMessage("clip norm must be a finite number > 0, got 0.0",
                () -> PrivacyStatement.of(3400, 10, 1.0, 0, 1000, null, true));
    }

    @Test
    void statementWithoutDp() throws Exception {
        PrivacyStatement s = PrivacyStatement.notPrivate(850, 10, 1000);
        assertFalse(s.differentiallyPrivate());
        assertEquals(Double.POSITIVE_INFINITY, s.epsilonOriginal());
        assertTrue(s.paragraph().startsWith("No differential privacy"), s.paragraph());
        assertEquals(s, Json.MAPPER.readValue(Json.toString(s), PrivacyStatement.class));
    }
}

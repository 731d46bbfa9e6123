package dev.fedgan.cli;

import static dev.fedgan.cli.FedganCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fedgan.core.io.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** 'fedgan privacy epsilon' as a user meets it. */
class PrivacyCommandTest {

    @Test
    void goldenCaseAsJson() throws Exception {
        // compute_dp_sgd_privacy_test: N = 60,000, batch 150, sigma 1.3, 15 epochs, delta 1e-5 (reference section 7).
        FedganCliTest.Run r = run("privacy", "epsilon", "--population", "60000", "--clients-per-round", "150",
                "--noise-multiplier", "1.3", "--epochs", "15", "--delta", "1e-5", "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertEquals(6000, j.get("steps").asLong());
        assertEquals(0.941870567, j.get("epsilon_original").asDouble(), 0.941870567e-6);
        assertEquals(19.0, j.get("best_order_original").asDouble());
        assertEquals(0.7242234026, j.get("epsilon_improved").asDouble(), 0.7242234026e-6);
        assertEquals(19.0, j.get("best_order_improved").asDouble());
        assertEquals(0.0025, j.get("q").asDouble(), 1e-15);
        assertTrue(j.get("sampling_assumption").asText().startsWith("Poisson sampling"), r.out());
        assertFalse(j.get("sampling_assumption").asText().contains("approximation"), r.out());

        // The same with q and rounds given directly.
        FedganCliTest.Run byQ = run("privacy", "epsilon", "--q", "0.0025", "-z", "1.3", "--rounds", "6000",
                "--delta", "1e-5", "--json");
        assertEquals(0, byQ.status(), byQ.err());
        assertEquals(j.get("epsilon_original").asDouble(),
                Json.MAPPER.readTree(byQ.out()).get("epsilon_original").asDouble(), 1e-12);
    }

    @Test
    void humanOutputNamesBothConversionsAndTheSamplingAssumption() {
        FedganCliTest.Run r = run("privacy", "epsilon", "--population", "850", "--clients-per-round", "10",
                "--noise-multiplier", "0.01", "--rounds", "1000", "--delta", "1e-5");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("original 2019 conversion, best order 1.25"), r.out());
        assertTrue(r.out().contains("improved 2020 conversion"), r.out());
        assertTrue(r.out().contains("vacuous"), r.out());
        assertTrue(r.out().contains("Poisson sampling, q = 0.01176471 (m = 10 expected of N = 850)"), r.out());
        assertTrue(r.out().contains("note: Poisson sampling: each user takes part in each round independently"),
                r.out());
        assertFalse(r.out().contains("without replacement") || r.out().contains("approximation"), r.out());
        FedganCliTest.Run poisson = run("privacy", "epsilon", "--population", "850", "--clients-per-round", "10",
                "--noise-multiplier", "0.01", "--rounds", "1000", "--delta", "1e-5", "--sampling", "poisson");
        assertEquals(r.out(), poisson.out(), "--sampling poisson is the default");
        FedganCliTest.Run fixed = run("privacy", "epsilon", "-N", "850", "-m", "10", "-z", "0.01", "-T", "1000",
                "--sampling", "fixed");
        assertEquals(2, fixed.status(), "only Poisson sampling is accounted");
        assertTrue(fixed.err().contains("poisson"), fixed.err());
        FedganCliTest.Run d = run("privacy", "epsilon", "-N", "3400", "-m", "10", "-z", "1.0", "-T", "1000");
        // Default delta min(1e-5, 3400^-1.1 = 1.3e-4) = 1e-5: the reference's section 6 case, epsilon 1.25 (original);
        // 1.253391 / 0.9182911 to 7 digits from the independent Python accountant (see PrivacyCalculatorTest).
        assertTrue(d.out().contains("delta = 1.000e-05 (default min(1e-5, 1/N^1.1))"), d.out());
        assertTrue(d.out().contains("epsilon = 1.253391 "), d.out());
        assertTrue(d.out().contains("epsilon = 0.9182911 "), d.out());
    }

    @Test
    void badParametersFailWithOneLine() {
        FedganCliTest.Run r = run("privacy", "epsilon", "--q", "1.5", "--noise-multiplier", "1", "--rounds", "10",
                "--delta", "1e-5");
        assertEquals(1, r.status());
        List<String> lines = r.err().lines().toList();
        assertEquals(List.of("fedgan: error: sampling rate q must be in [0, 1], got 1.5"), lines);
        assertEquals("", r.out());

        FedganCliTest.Run noDelta = run("privacy", "epsilon", "--q", "0.01", "-z", "1", "--rounds", "10");
        assertEquals(1, noDelta.status());
        assertEquals("fedgan: error: delta not given: the default min(1e-5, 1/N^1.1) needs the population N", noDelta.err().strip());

        FedganCliTest.Run negative = run("privacy", "epsilon", "-N", "100", "-m", "10", "-z", "-1", "-T", "10");
        assertEquals("fedgan: error: noise multiplier must be >= 0, got -1.0", negative.err().strip());

        FedganCliTest.Run both = run("privacy", "epsilon", "-N", "100", "-m", "10", "-z", "1", "-T", "10", "--epochs", "2");
        assertEquals("fedgan: error: give exactly one of --rounds and --epochs", both.err().strip());
    }

    @Test
    void helpExplainsTheTerms() {
        FedganCliTest.Run r = run("privacy", "epsilon", "--help");
        assertEquals(0, r.status());
        for (String word : List.of("q = m/N", "noise multiplier", "delta", "Poisson", "--population", "--orders",
                "--sampling", "expected per round")) {
            assertTrue(r.out().contains(word), word + " in help:\n" + r.out());
        }
        assertTrue(run("--help").out().contains("privacy"));
    }
}

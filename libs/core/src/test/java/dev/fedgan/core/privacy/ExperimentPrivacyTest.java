package dev.fedgan.core.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The experiment's total: selection plus the larger GAN at each order. Golden values computed independently in 40
 * digits with mpmath (the RDP from its definition, both conversions over the default orders): selection 2 Gaussian
 * releases at sigma = 10; low GAN q = 10/3400, z = 1, T = 1000; high GAN q = 10/3000, z = 1, T = 800; delta = 1e-5.
 */
class ExperimentPrivacyTest {

    private static SelectionPrivacy selection(double sigma, int releases) {
        return new SelectionPrivacy(sigma, releases);
    }

    private static Map<String, PrivacyStatement> gans() {
        Map<String, PrivacyStatement> g = new LinkedHashMap<>();
        g.put("low_accuracy", PrivacyStatement.of(3400, 10, 1.0, 0.1, 1000, 1e-5, true));
        g.put("high_accuracy", PrivacyStatement.of(3000, 10, 1.0, 0.1, 800, 1e-5, true));
        return g;
    }

    @Test
    void selectionComposedWithTheLargerGanAtEachOrder() {
        ExperimentPrivacy p = ExperimentPrivacy.of(selection(10, 2), gans(), 1e-5);
        assertTrue(p.differentiallyPrivate());
        assertEquals(1.059797920035182, p.epsilonImproved(), 1e-9);
        assertEquals(11.0, p.bestOrderImproved());
        assertEquals(1.3948976271193439, p.epsilonOriginal(), 1e-9);
        assertEquals(0.54581320981770048, p.selectionEpsilon(), 1e-9);
        assertEquals(0.91829113599846844, p.ganEpsilons().get("low_accuracy"), 1e-9);
        assertEquals(0.94979792003518199, p.ganEpsilons().get("high_accuracy"), 1e-9);
        // Tighter than adding the epsilons (0.546 + 0.950), looser than the larger GAN alone.
        assertTrue(p.epsilonImproved() < p.selectionEpsilon() + 0.94979792003518199);
        assertTrue(p.epsilonImproved() > 0.94979792003518199);
        assertTrue(p.line(List.of("low_accuracy", "high_accuracy")).startsWith("ε = 1.06 (δ = 1.00e-05)"),
                p.line(List.of("low_accuracy", "high_accuracy")));
    }

    @Test
    void aGanWithoutNoiseLeavesNoGuarantee() {
        Map<String, PrivacyStatement> g = gans();
        g.put("high_accuracy", PrivacyStatement.notPrivate(3000, 10, 800));
        ExperimentPrivacy p = ExperimentPrivacy.of(selection(10, 2), g, 1e-5);
        assertFalse(p.differentiallyPrivate());
        assertEquals(Double.POSITIVE_INFINITY, p.epsilonImproved());
        assertEquals(Double.POSITIVE_INFINITY, p.ganEpsilons().get("high_accuracy"));
    }

    @Test
    void rejectsAnAbsurdDelta() {
        assertThrows(IllegalArgumentException.class, () -> ExperimentPrivacy.of(selection(10, 2), gans(), 1.5));
    }
}

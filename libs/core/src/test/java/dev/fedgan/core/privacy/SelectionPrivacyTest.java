package dev.fedgan.core.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The selection's cost: two Gaussian releases of sensitivity 1, as an RDP curve and as its own ε. */
class SelectionPrivacyTest {

    @Test
    void rdpIsAlphaOverZSquaredForTheTwoReleases() {
        // Closed form, independent of the code: two releases of RDP alpha / (2 z^2) each.
        SelectionPrivacy s = SelectionPrivacy.of(5);
        assertEquals(2, s.releases());
        assertEquals(2.0 / 25, s.rdp(2), 1e-15);
        assertEquals(1.5 / 25, s.rdp(1.5), 1e-15);
        assertEquals(32.0 / 25, s.rdp(32), 1e-15);
        assertEquals(512.0 / 25, s.rdp(512), 1e-13);
        assertEquals(Double.POSITIVE_INFINITY, s.rdp(Double.POSITIVE_INFINITY));
        double[] curve = SelectionPrivacy.of(8).rdp(new double[] {1.25, 4, 63});
        assertEquals(1.25 / 64, curve[0], 1e-15);
        assertEquals(4.0 / 64, curve[1], 1e-15);
        assertEquals(63.0 / 64, curve[2], 1e-15);
        assertEquals(0, new SelectionPrivacy(5, 0).rdp(10));
    }

    @Test
    void itsEpsilonIsWhatFedganPrivacyEpsilonGivesForTwoFullBatchSteps() {
        // 'fedgan privacy epsilon --q 1 -z Z --rounds 2 --delta D': the same releases, through the accountant.
        for (double z : new double[] {1, 5, 10}) {
            for (double delta : new double[] {1e-5, 1e-7}) {
                PrivacyEstimate cli = PrivacyCalculator.forSamplingRate(1.0, z, 2, delta);
                Epsilon original = SelectionPrivacy.of(z).epsilon(delta, Conversion.ORIGINAL);
                Epsilon improved = SelectionPrivacy.of(z).epsilon(delta, Conversion.IMPROVED);
                assertEquals(cli.epsilonOriginal(), original.epsilon(), 1e-12 * cli.epsilonOriginal(), "z " + z);
                assertEquals(cli.bestOrderOriginal(), original.order());
                assertEquals(cli.epsilonImproved(), improved.epsilon(), 1e-12 * cli.epsilonImproved(), "z " + z);
                assertEquals(cli.bestOrderImproved(), improved.order());
            }
        }
    }

    @Test
    void itsEpsilonFollowsTheOriginalConversionByHand() {
        // min over the orders of alpha / z^2 + ln(1/delta) / (alpha - 1), computed here without the accountant.
        double z = 5;
        double delta = 1e-5;
        double best = Double.POSITIVE_INFINITY;
        for (double a : RdpAccountant.DEFAULT_ORDERS) {
            best = Math.min(best, a / (z * z) + Math.log(1 / delta) / (a - 1));
        }
        assertEquals(best, SelectionPrivacy.of(z).epsilon(delta, Conversion.ORIGINAL).epsilon(), 1e-12);
        // The default's cost, as docs/privacy.md states it.
        assertEquals(1.40, SelectionPrivacy.of(SelectionPrivacy.DEFAULT_NOISE_MULTIPLIER)
                .epsilon(1e-5, Conversion.ORIGINAL).epsilon(), 0.005);
    }

    @Test
    void composesOrderByOrderWithAGansAccountant() {
        RdpAccountant gan = new RdpAccountant().addSteps(0.01, 1.0, 100);
        double[] orders = gan.orders().stream().mapToDouble(Double::doubleValue).toArray();
        double[] sel = SelectionPrivacy.of(5).rdp(gan.orders());
        double[] ganRdp = gan.rdp();
        double[] total = new double[orders.length];
        for (int i = 0; i < orders.length; i++) {
            total[i] = sel[i] + ganRdp[i];
        }
        double alone = gan.epsilon(1e-5, Conversion.IMPROVED).epsilon();
        double both = RdpAccountant.epsilon(orders, total, 1e-5, Conversion.IMPROVED).epsilon();
        assertTrue(both > alone && both > SelectionPrivacy.of(5).epsilon(1e-5, Conversion.IMPROVED).epsilon(),
                alone + " / " + both);
    }

    @Test
    void absurdNoiseMultipliersAreRejected() {
        for (double z : new double[] {0, 0.1, -1, Double.NaN, Double.POSITIVE_INFINITY, 1e5}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SelectionPrivacy.of(z));
            assertTrue(e.getMessage().startsWith("selection noise multiplier must be in [0.5, 10000], got"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> SelectionPrivacy.of(5).rdp(List.of(0.5)));
    }
}

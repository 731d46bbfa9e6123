package dev.fedgan.core.gan.rgb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.data.ColourImages;
import dev.fedgan.core.data.ColourShapes;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.core.progress.Progress;
import org.junit.jupiter.api.Test;

/** The DP DCGAN federated over two clients at tiny widths: the average, each client's ε, the fixed-latent draws. */
class DcganFederationTest {

    @Test
    void theServerAveragesTheClientsNetworksAndEachClientIsAccountedOverAllItsSteps() {
        ColourImages shapes = ColourShapes.generate(36, 2, 64, 4); // clients of 18 images each
        DcganClient.Options client = new DcganClient.Options(1.0, 1.1, 6, 2e-4, 0.5, 3, true, false);
        DcganFederation fed = new DcganFederation(shapes, new DcganFederation.Options(new DcganNetworks.Widths(2, 2),
                client, 2, 2, 5), 1e-5);
        assertEquals(2, fed.clients().size());
        DcganFederation.Round r1 = fed.round(Progress.NONE);
        float[] d0 = fed.clients().get(0).discriminator().params().toFloatVector();
        float[] d1 = fed.clients().get(1).discriminator().params().toFloatVector();
        float[] global = fed.discriminator().params().toFloatVector();
        for (int i = 0; i < global.length; i += 97) {
            assertEquals((d0[i] + d1[i]) / 2, global[i], 1e-6f, "the weighted average (equal sizes) at " + i);
        }
        assertEquals(1, r1.round());
        assertTrue(Double.isFinite(r1.generatorLoss()) && Double.isFinite(r1.discriminatorFakeLoss()));

        DcganFederation.Round r2 = fed.round(Progress.NONE);
        // each client: 2 rounds of 2 steps at q = 6/18
        double expected = PrivacyCalculator.forSamplingRate(6.0 / 18, 1.1, 4, 1e-5).epsilonOriginal();
        assertEquals(expected, r2.epsilon(), 1e-12 * expected);
        assertEquals(4, fed.clients().get(1).privateSteps());

        float[] a = fed.draw(3);
        assertEquals(3 * 3 * 64 * 64, a.length);
        assertArrayEquals(a, fed.draw(3), "the same latents every time");
    }
}

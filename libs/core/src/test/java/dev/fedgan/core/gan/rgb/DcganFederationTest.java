package dev.fedgan.core.gan.rgb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.data.ColourImages;
import dev.fedgan.core.data.ColourShapes;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.core.progress.Progress;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

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

    @Test
    void clientsRebuiltEachRoundFromTheirSavedStateGiveTheOneJvmRunsNetworks() {
        ColourImages shapes = ColourShapes.generate(24, 2, 64, 4);
        DcganFederation.Options o = new DcganFederation.Options(new DcganNetworks.Widths(2, 2),
                new DcganClient.Options(1.0, 1.1, 4, 2e-4, 0.5, 3, true, false), 2, 2, 5);
        DcganFederation oneJvm = new DcganFederation(shapes, o, 1e-5);
        oneJvm.round(Progress.NONE);
        DcganFederation.Round expected = oneJvm.round(Progress.NONE);

        // as the services run it: the server alone; each client built anew per round, its state carried as bytes
        DcganFederation.Server server = new DcganFederation.Server(o, DcganFederation.sizes(shapes), 1e-5);
        byte[][] states = new byte[2][];
        DcganFederation.Round got = null;
        for (int round = 1; round <= 2; round++) {
            assertEquals(round, server.begin());
            float[] d = server.discriminator().params().toFloatVector(); // as stored and fetched
            float[] g = server.generator().params().toFloatVector();
            for (int k = 0; k < 2; k++) {
                DcganClient c = DcganFederation.client(shapes, k, o);
                if (states[k] != null) {
                    c.restore(states[k]);
                }
                DcganFederation.ClientRound cr = DcganFederation.clientRound(c, Nd4j.create(d), Nd4j.create(g), round,
                        2, Progress.NONE, "client " + k);
                states[k] = c.state();
                server.add(k, Nd4j.create(c.discriminator().params().toFloatVector()),
                        Nd4j.create(c.generator().params().toFloatVector()), cr);
            }
            got = server.finish();
            if (round == 1) { // a server that stopped: another takes up from the stored networks
                DcganFederation.Server after = new DcganFederation.Server(o, DcganFederation.sizes(shapes), 1e-5);
                after.resume(1, Nd4j.create(server.discriminator().params().toFloatVector()),
                        Nd4j.create(server.generator().params().toFloatVector()));
                server = after;
            }
        }
        assertTrue(server.finished());
        assertThrows(IllegalStateException.class, server::begin);
        assertArrayEquals(oneJvm.discriminator().params().toFloatVector(),
                server.discriminator().params().toFloatVector());
        assertArrayEquals(oneJvm.generator().params().toFloatVector(), server.generator().params().toFloatVector());
        assertEquals(expected, got);
        assertEquals(PrivacyCalculator.forSamplingRate(4.0 / 12, 1.1, 4, 1e-5).epsilonOriginal(), got.epsilon(),
                1e-12);
        DcganClient fresh = DcganFederation.client(shapes, 0, o);
        fresh.restore(states[0]);
        assertEquals(4, fresh.privateSteps(), "the steps carried in the state");
        assertEquals(got.epsilon(), fresh.epsilon(1e-5, dev.fedgan.core.privacy.Conversion.ORIGINAL), 1e-12);
    }

    @Test
    void aStateOfOtherNetworksOrCorruptBytesIsRefusedByName() {
        ColourImages shapes = ColourShapes.generate(12, 1, 64, 4);
        DcganClient.Options c = new DcganClient.Options(1.0, 1.1, 4, 2e-4, 0.5, 3, true, false);
        DcganClient small = DcganFederation.client(shapes, 0, new DcganFederation.Options(
                new DcganNetworks.Widths(2, 2), c, 1, 1, 5));
        DcganClient wider = DcganFederation.client(shapes, 0, new DcganFederation.Options(
                new DcganNetworks.Widths(2, 3), c, 1, 1, 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wider.restore(small.state()));
        assertTrue(e.getMessage().contains("discriminator's optimiser state"), e.getMessage());
        byte[] cut = java.util.Arrays.copyOf(small.state(), 40);
        e = assertThrows(IllegalArgumentException.class, () -> small.restore(cut));
        assertTrue(e.getMessage().contains("corrupt DCGAN client state"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> small.restore(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
    }
}

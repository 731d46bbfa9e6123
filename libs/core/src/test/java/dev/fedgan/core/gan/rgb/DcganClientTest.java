package dev.fedgan.core.gan.rgb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.data.ColourImages;
import dev.fedgan.core.data.ColourShapes;
import dev.fedgan.core.dpsgd.Loss;
import dev.fedgan.core.dpsgd.Network;
import dev.fedgan.core.privacy.Conversion;
import dev.fedgan.core.privacy.PrivacyCalculator;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A DP DCGAN client at tiny widths on the generated shapes: what is charged, and that both networks learn. */
class DcganClientTest {

    static final DcganNetworks.Widths TINY = new DcganNetworks.Widths(2, 2);

    /**
     * Only the discriminator's real-data steps are charged, under either loss: after 3 steps (each with a fake term
     * and a generator step; under WGAN-GP also the penalty at interpolates, inside each real image's clipped gradient)
     * the accountant has 3 steps of (q = B/n, z), ε as the calculator gives for them.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(DcganClient.Objective.class)
    void onlyTheRealDataStepsAreCharged(DcganClient.Objective objective) {
        ColourImages shapes = ColourShapes.generate(40, 1, 64, 3);
        Network d = DcganNetworks.discriminator(TINY, 1);
        Network g = DcganNetworks.generator(TINY, 2);
        float[] d0 = d.params().toFloatVector();
        float[] g0 = g.params().toFloatVector();
        DcganClient client = new DcganClient(shapes, d, g, new DcganClient.Options(1.0, 1.2, 8, 2e-4, 0.5, 7, true,
                false, objective));
        for (int s = 0; s < 3; s++) {
            DcganClient.Losses l = client.step();
            assertTrue(Double.isFinite(l.fakeLoss()) && Double.isFinite(l.generatorLoss()), l.toString());
        }
        assertEquals(3, client.privateSteps());
        assertEquals(0.2, client.samplingRate(), 0);
        double expected = PrivacyCalculator.forSamplingRate(0.2, 1.2, 3, 1e-5).epsilonOriginal();
        assertEquals(expected, client.epsilon(1e-5, Conversion.ORIGINAL), 1e-12 * expected);
        assertFalse(Arrays.equals(d0, d.params().toFloatVector()), "the discriminator moved");
        assertFalse(Arrays.equals(g0, g.params().toFloatVector()), "the generator moved");
    }

    /** A step reports the real term's loss of the discriminator it started from (no pass of its own computes it). */
    @Test
    void aStepReportsTheLossOfTheDiscriminatorItStartedFrom() {
        ColourImages shapes = ColourShapes.generate(16, 1, 64, 3);
        Network d = DcganNetworks.discriminator(TINY, 1);
        INDArray first = Nd4j.create(Arrays.copyOf(shapes.pixels(), 8 * 3 * 64 * 64), new long[] {8, 3, 64, 64}, 'c');
        double expected = 0;
        for (double z : d.output(first).toDoubleVector()) {
            expected += Loss.binaryCrossEntropyValue(z, 1) / 8;
        }
        DcganClient client = new DcganClient(shapes, d, DcganNetworks.generator(TINY, 2),
                new DcganClient.Options(1, 1, 8, 2e-4, 0.5, 7, true, true));
        DcganClient.Losses l = client.step();
        assertEquals(8, l.realDrawn());
        assertEquals(expected, l.realLoss(), 1e-6 * expected);
        assertTrue(l.fakeLoss() > 0 && l.generatorLoss() > 0, l.toString());
    }

    /**
     * The fake term is clipped per image to S under DP (its sum at most B·S), as the real term is, and left whole
     * when non-private; at S = 10⁻³ the 8 fakes' sum is within 8·10⁻³, while unclipped it is far larger.
     */
    @Test
    void theFakeTermIsClippedPerImageUnderDp() {
        ColourImages shapes = ColourShapes.generate(16, 1, 64, 3);
        INDArray fakes = DcganNetworks.generator(TINY, 2).output(Nd4j.randn(org.nd4j.linalg.api.buffer.DataType.FLOAT,
                8, DcganNetworks.NOISE, 1, 1)).reshape(8, 3, 64, 64);
        DcganClient dp = new DcganClient(shapes, DcganNetworks.discriminator(TINY, 1), DcganNetworks.generator(TINY, 2),
                new DcganClient.Options(1e-3, 1, 8, 2e-4, 0.5, 7, true, false));
        DcganClient plain = new DcganClient(shapes, DcganNetworks.discriminator(TINY, 1),
                DcganNetworks.generator(TINY, 2), new DcganClient.Options(1e-3, 1, 8, 2e-4, 0.5, 7, true, true));
        double clipped = dp.fakeTerm(fakes, Loss.binaryCrossEntropy(0)).norm2Number().doubleValue();
        double whole = plain.fakeTerm(fakes, Loss.binaryCrossEntropy(0)).norm2Number().doubleValue();
        assertTrue(clipped <= 8e-3 * (1 + 1e-5), "clipped sum " + clipped);
        assertTrue(whole > 0.1, "unclipped sum " + whole);
    }

    /**
     * A WGAN-GP step pairs each drawn image with a generated one, whatever the Poisson draw: one image (the generator's
     * batch norm needs two) or none.
     */
    @Test
    void aWganGpStepTakesADrawOfOneImageOrNone() {
        ColourImages shapes = ColourShapes.generate(40, 1, 64, 3);
        DcganClient client = new DcganClient(shapes, DcganNetworks.discriminator(TINY, 1),
                DcganNetworks.generator(TINY, 2), new DcganClient.Options(1.0, 1.2, 2, 2e-4, 0.5, 7, true, false,
                DcganClient.Objective.WGAN_GP));
        java.util.Set<Integer> draws = new java.util.TreeSet<>();
        for (int s = 0; s < 12; s++) {
            DcganClient.Losses l = client.discriminatorStep();
            draws.add(l.realDrawn());
            assertTrue(Double.isFinite(l.fakeLoss()) && (l.realDrawn() == 0) == Double.isNaN(l.realLoss()),
                    l.toString());
        }
        assertTrue(draws.contains(0) && draws.contains(1), "draws " + draws);
        assertEquals(12, client.privateSteps());
    }

    /**
     * WGAN-GP's losses against the target: a critic's score z costs −z on a real image and +z on a generated one
     * (the generator's loss is −z), with dL/dz = ∓1 whatever z; the DCGAN's is the cross-entropy on σ(z).
     */
    @Test
    void theLossesAreTheirObjectivesAndNamedOnTheCommandLine() {
        DcganClient.Objective w = DcganClient.Objective.WGAN_GP;
        assertEquals(-2.5, w.value(2.5, 1), 0);
        assertEquals(2.5, w.value(2.5, 0), 0);
        assertEquals(-1, w.gradient(7, 1), 0);
        assertEquals(1, w.gradient(-7, 0), 0);
        DcganClient.Objective b = DcganClient.Objective.DCGAN;
        assertEquals(Math.log(2), b.value(0, 1), 1e-15);
        assertEquals(1 / (1 + Math.exp(-2)) - 1, b.gradient(2, 1), 1e-15);
        assertEquals(w, DcganClient.Objective.of("wgan-gp"));
        assertEquals("dcgan", b.label());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DcganClient.Objective.of("wgan"));
        assertTrue(e.getMessage().contains("dcgan or wgan-gp"), e.getMessage());
    }

    @Test
    void aClientNeedsAsManyImagesAsTheBatchAndPrivacyNeedsNoise() {
        ColourImages few = ColourShapes.generate(4, 1, 64, 3);
        assertThrows(IllegalArgumentException.class, () -> new DcganClient(few, DcganNetworks.discriminator(TINY, 1),
                DcganNetworks.generator(TINY, 2), new DcganClient.Options(1, 1, 8, 2e-4, 0.5, 1, true, false)));
        assertThrows(IllegalArgumentException.class, () -> new DcganClient.Options(1, 0, 8, 2e-4, 0.5, 1, true, false));
    }
}

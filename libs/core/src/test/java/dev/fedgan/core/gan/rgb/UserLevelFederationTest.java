package dev.fedgan.core.gan.rgb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.data.ColourImages;
import dev.fedgan.core.data.ColourPartition;
import dev.fedgan.core.data.ColourShapes;
import dev.fedgan.core.dpsgd.Network;
import dev.fedgan.core.privacy.ClientSampler;
import dev.fedgan.core.privacy.GaussianNoise;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.core.progress.Progress;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.junit.jupiter.api.Test;

/**
 * The user-level mode's round against a hand computation: the Poisson draw, each included client's discriminator
 * delta from its own plain steps, clipped to S, summed, the noise, divided by m (not the number drawn); the ε of
 * the DP-FedAvg accountant.
 */
class UserLevelFederationTest {

    private static final DcganNetworks.Widths W = new DcganNetworks.Widths(2, 2);

    private static UserLevelFederation.Options options(double clip, boolean nonPrivate) {
        return new UserLevelFederation.Options(W, 2, 2, 2, 4, clip, nonPrivate ? 0 : 1.1, 1, 2e-4, 9, true,
                nonPrivate);
    }

    /** Client k's discriminator delta after its round-1 steps, computed apart from the federation. */
    private static double[] delta(ColourImages images, int k, UserLevelFederation.Options o) {
        ColourImages own = images.select(images.imagesOf(images.clientIds().get(k)));
        Network d0 = DcganNetworks.discriminator(W, 9);
        Network d = DcganNetworks.discriminator(W, 9);
        DcganClient c = new DcganClient(own, d, DcganNetworks.generator(W, 10), o.client(9 + k));
        c.beginRound(1);
        c.discriminatorStep();
        c.discriminatorStep();
        float[] a = d.params().toFloatVector();
        float[] b = d0.params().toFloatVector();
        double[] delta = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            delta[i] = (float) (a[i] - b[i]);
        }
        return delta;
    }

    @Test
    void aRoundClipsEachIncludedClientsDeltaAddsNoiseOnceAndDividesByM() {
        ColourImages images = ColourPartition.evenly(ColourShapes.generate(40, 1, 64, 3), 5, 3);
        UserLevelFederation.Options o = options(0.01, false);
        UserLevelFederation fed = new UserLevelFederation(images, o, 1e-5);
        float[] d0 = fed.discriminator().params().toFloatVector();
        DcganFederation.Round r = fed.round(Progress.NONE);

        long seed = UserLevelFederation.roundSeed(9, 1);
        int[] included = ClientSampler.seeded(seed).sample(2.0 / 5, 5); // the federation's draw, seeded alike
        assertArrayEquals(included, fed.included());
        double[] sum = new double[d0.length];
        for (int k : included) {
            double[] delta = delta(images, k, o);
            double norm = 0;
            for (double v : delta) {
                norm += v * v;
            }
            double factor = Math.min(1, 0.01 / Math.sqrt(norm));
            assertTrue(factor < 1, "S = 0.01 clips every delta");
            for (int i = 0; i < sum.length; i++) {
                sum[i] += factor * delta[i];
            }
        }
        GaussianNoise.seeded(seed).addTo(sum, 1.1 * 0.01);
        float[] got = fed.discriminator().params().toFloatVector();
        for (int i = 0; i < got.length; i++) {
            assertEquals(d0[i] + sum[i] / 2, got[i], 1e-6, "coordinate " + i + " of " + got.length);
        }
        double expected = PrivacyCalculator.forPopulation(5, 2, 1.1, 1, 1e-5).epsilonOriginal();
        assertEquals(expected, r.epsilon(), 1e-12 * expected);
        // released: the noised discriminator's loss on the images the generator's one step starts from
        INDArray z = DcganClient.latents(new SplittableRandom(seed ^ 0x2545F4914F6CDD1DL), 4, DataType.FLOAT);
        INDArray fakes = DcganNetworks.generator(W, 10).output(z).reshape(4, 3, 64, 64);
        double[] logits = fed.discriminator().output(fakes).ravel().toDoubleVector();
        double fakeLoss = 0;
        for (double l : logits) {
            fakeLoss += Math.log1p(Math.exp(l)) / logits.length; // -log(1 - sigmoid(l))
        }
        assertEquals(fakeLoss, r.discriminatorFakeLoss(), 1e-5 * fakeLoss);
        assertTrue(Double.isFinite(r.generatorLoss()));
        DcganFederation.Round r2 = fed.round(Progress.NONE);
        double two = PrivacyCalculator.forPopulation(5, 2, 1.1, 2, 1e-5).epsilonOriginal();
        assertEquals(two, r2.epsilon(), 1e-12 * two, "one accountant step per round");
        assertThrows(IllegalStateException.class, () -> fed.round(Progress.NONE));
    }

    /**
     * Under WGAN-GP the server's generator steps use the critic's score: the released loss is the noised critic's mean
     * score on the images the generator's step starts from, and the generator's loss minus that score.
     */
    @Test
    void underWganGpTheServerReleasesTheNoisedCriticsMeanScore() {
        ColourImages images = ColourPartition.evenly(ColourShapes.generate(40, 1, 64, 3), 5, 3);
        UserLevelFederation.Options o = new UserLevelFederation.Options(W, 2, 2, 2, 4, 0.01, 1.1, 1, 2e-4, 9, true,
                false, DcganClient.Objective.WGAN_GP);
        assertEquals(DcganClient.Objective.WGAN_GP, o.client(9).objective(), "the clients' steps too");
        UserLevelFederation fed = new UserLevelFederation(images, o, 1e-5);
        DcganFederation.Round r = fed.round(Progress.NONE);
        long seed = UserLevelFederation.roundSeed(9, 1);
        INDArray z = DcganClient.latents(new SplittableRandom(seed ^ 0x2545F4914F6CDD1DL), 4, DataType.FLOAT);
        INDArray fakes = DcganNetworks.generator(W, 10).output(z).reshape(4, 3, 64, 64);
        double score = fed.discriminator().output(fakes).meanNumber().doubleValue();
        assertEquals(score, r.discriminatorFakeLoss(), 1e-5 * Math.abs(score));
        assertEquals(-score, r.generatorLoss(), 1e-5 * Math.abs(score));
    }

    @Test
    void nonPrivateEveryClientsDeltaIsAveragedByItsImages() {
        ColourImages images = ColourPartition.evenly(ColourShapes.generate(20, 1, 64, 3), 2, 3); // 10 and 10
        UserLevelFederation.Options o = options(1, true);
        UserLevelFederation fed = new UserLevelFederation(images, o, 1e-5);
        float[] d0 = fed.discriminator().params().toFloatVector();
        fed.round(Progress.NONE);
        assertArrayEquals(new int[] {0, 1}, fed.included());
        double[] a = delta(images, 0, o);
        double[] b = delta(images, 1, o);
        float[] got = fed.discriminator().params().toFloatVector();
        for (int i = 0; i < got.length; i += 7) {
            assertEquals(d0[i] + (a[i] + b[i]) / 2, got[i], 1e-6, "coordinate " + i);
        }
        assertEquals(Double.POSITIVE_INFINITY, fed.epsilon());
    }

    @Test
    void aServerResumedAfterARoundGoesOnAsTheUninterruptedOne() {
        ColourImages images = ColourPartition.evenly(ColourShapes.generate(40, 1, 64, 3), 5, 3);
        UserLevelFederation.Options o = options(0.5, false);
        int[] sizes = DcganFederation.sizes(images);
        UserLevelFederation.Server whole = new UserLevelFederation.Server(o, sizes, 1e-5);
        UserLevelFederation.Server first = new UserLevelFederation.Server(o, sizes, 1e-5);
        round(whole, images, o);
        round(first, images, o);
        UserLevelFederation.Server resumed = new UserLevelFederation.Server(o, sizes, 1e-5);
        resumed.resume(1, first.discriminator().params(), first.generator().params(), first.state());
        DcganFederation.Round a = round(whole, images, o);
        DcganFederation.Round b = round(resumed, images, o);
        assertEquals(a, b);
        assertArrayEquals(whole.generator().params().toFloatVector(), resumed.generator().params().toFloatVector());
        assertArrayEquals(whole.discriminator().params().toFloatVector(),
                resumed.discriminator().params().toFloatVector());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new UserLevelFederation.Server(o, sizes, 1e-5)
                .resume(1, first.discriminator().params(), first.generator().params(), new byte[] {1, 2, 3, 4}))
                .getMessage().contains("not a user-level DCGAN server state"));
    }

    /** A round run as the services run it: each drawn client apart, added in the draw's order. */
    private static DcganFederation.Round round(UserLevelFederation.Server s, ColourImages images,
            UserLevelFederation.Options o) {
        int r = s.begin();
        for (int k : s.participants()) {
            Network d = DcganNetworks.discriminator(W, 9);
            d.params().assign(s.discriminator().params());
            s.add(k, UserLevelFederation.clientRound(images.select(images.imagesOf(images.clientIds().get(k))), k, o,
                    d, s.generator(), r));
        }
        return s.finish();
    }

    /**
     * A round whose Poisson draw includes no client still releases a noised discriminator (the noise over m) and is
     * accounted: the draw's size is not what the accountant charges.
     */
    @Test
    void aRoundThatDrawsNoClientAddsTheNoiseAloneAndIsAccounted() {
        ColourImages images = ColourPartition.evenly(ColourShapes.generate(32, 1, 64, 3), 4, 3);
        long seed = 1;
        while (ClientSampler.seeded(UserLevelFederation.roundSeed(seed, 1)).sample(1.0 / 4, 4).length > 0) {
            seed++; // the first seed whose round 1 draws nobody (probability (3/4)^4 each)
        }
        UserLevelFederation.Options o = new UserLevelFederation.Options(W, 1, 1, 1, 4, 0.5, 1.1, 1, 2e-4, seed, true,
                false);
        UserLevelFederation fed = new UserLevelFederation(images, o, 1e-5);
        float[] d0 = fed.discriminator().params().toFloatVector();
        DcganFederation.Round r = fed.round(Progress.NONE);
        assertEquals(0, fed.included().length);
        double[] noise = new double[d0.length];
        GaussianNoise.seeded(UserLevelFederation.roundSeed(seed, 1)).addTo(noise, 1.1 * 0.5);
        float[] got = fed.discriminator().params().toFloatVector();
        for (int i = 0; i < got.length; i += 11) {
            assertEquals(d0[i] + noise[i], got[i], 1e-6, "coordinate " + i + ": the noise over m = 1");
        }
        double expected = PrivacyCalculator.forPopulation(4, 1, 1.1, 1, 1e-5).epsilonOriginal();
        assertEquals(expected, r.epsilon(), 1e-12 * expected);
    }

    @Test
    void moreClientsPerRoundThanClientsOrATooSmallClientIsRefused() {
        ColourImages images = ColourPartition.evenly(ColourShapes.generate(20, 1, 64, 3), 2, 3);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new UserLevelFederation(images,
                new UserLevelFederation.Options(W, 1, 3, 1, 4, 1, 1, 1, 2e-4, 1, true, false), 1e-5)).getMessage()
                .contains("exceed the 2 clients"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new UserLevelFederation(images,
                new UserLevelFederation.Options(W, 1, 1, 1, 11, 1, 1, 1, 2e-4, 1, true, false), 1e-5)).getMessage()
                .contains("fewer than the batch of 11"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new UserLevelFederation.Options(W, 1, 1, 1, 4,
                1, 0, 1, 2e-4, 1, true, false)).getMessage().contains("z 0.0"));
        assertEquals(List.of("client-0", "client-1").size(), images.clientIds().size());
    }
}

package dev.fedgan.core.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.data.WriterData;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Clients trained as one block network give each client's own delta: the same as {@link ClientTraining} on each
 * client apart, up to float rounding, for clients with more and fewer full batches, smaller last batches, and an
 * empty slot; with and without batch norm, under both losses.
 */
class ClientGroupTrainingTest {

    /**
     * 13: three full batches of 4 (one example dropped); 9: two; 6: one and a last batch of 2 (twice: the two last
     * batches train together); 5: one.
     */
    private static final int[] SIZES = {13, 9, 6, 5, 6};

    private static WriterData client(int k, int size) {
        SplittableRandom r = new SplittableRandom(100 + k);
        float[] pixels = new float[size * WriterData.SIDE * WriterData.SIDE];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) (r.nextDouble() * 2 - 1);
        }
        int[] labels = new int[size];
        return new WriterData("w" + k, pixels, labels);
    }

    private static void assertGroupEqualsApart(GanTrainingConfig config) {
        NetworkWeights generator = GanNetworks.initialGenerator(config.preset(), 3);
        NetworkWeights critic = GanNetworks.initialCritic(config.preset(), 4);
        List<String> ids = new ArrayList<>();
        List<WriterData> data = new ArrayList<>();
        long[] seeds = new long[SIZES.length];
        for (int k = 0; k < SIZES.length; k++) {
            data.add(client(k, SIZES[k]));
            ids.add("w" + k);
            seeds[k] = 77 + k;
        }
        List<ClientUpdate> group = new ClientGroupTraining(config, SIZES.length + 1) // one slot left empty
                .train(ids, 2, generator, critic, data, seeds);
        ClientTraining apart = new ClientTraining(config);
        for (int k = 0; k < SIZES.length; k++) {
            ClientUpdate a = apart.train(ids.get(k), 2, generator, critic, data.get(k), seeds[k]);
            ClientUpdate g = group.get(k);
            assertEquals(a.steps(), g.steps(), "steps of client " + k);
            assertEquals(a.realExamples(), g.realExamples(), "examples of client " + k);
            double norm = 0;
            double diff = 0;
            for (int i = 0; i < a.delta().length; i++) {
                norm += (double) a.delta()[i] * a.delta()[i];
                diff += Math.pow(a.delta()[i] - g.delta()[i], 2);
            }
            assertTrue(norm > 0, "client " + k + " moved");
            assertTrue(Math.sqrt(diff) <= 1e-4 * Math.sqrt(norm), "client " + k + ": |group - apart| "
                    + Math.sqrt(diff) + " against |delta| " + Math.sqrt(norm));
            assertEquals(a.loss(), g.loss(), 1e-4 * Math.abs(a.loss()), "last loss of client " + k);
        }
    }

    @Test
    void tinyCriticsUnderTheWassersteinLossAreEachClientsOwn() {
        assertGroupEqualsApart(GanTrainingConfig.CPU_DEMO.toBuilder().preset(GanPreset.TINY).loss(GanLoss.WASSERSTEIN_GP)
                .penaltyWeight(10).clientSteps(3).generatorSteps(1).batchSize(4).clientsPerRound(4).rounds(1).build());
    }

    @Test
    void criticsWithoutBatchNormUnderTheNonSaturatingLossAreEachClientsOwn() {
        GanPreset noNorm = new GanPreset("tiny-no-norm", 8, 16, 4, 4, 2, 2, 4, 8, false);
        assertGroupEqualsApart(GanTrainingConfig.CPU_DEMO.toBuilder().preset(noNorm).loss(GanLoss.NON_SATURATING)
                .penaltyWeight(0).clientSteps(3).generatorSteps(1).batchSize(4).clientsPerRound(4).rounds(1).build());
    }

    /** A client whose critic diverges spoils no other's update: the group is trained again apart. */
    @Test
    void aDivergingClientLeavesTheOthersUpdatesTheirOwn() {
        GanTrainingConfig config = GanTrainingConfig.CPU_DEMO.toBuilder().preset(GanPreset.TINY).clientSteps(2)
                .generatorSteps(1).batchSize(4).clientsPerRound(2).rounds(1).build();
        WriterData huge = new WriterData("huge", new float[8 * WriterData.PIXELS], new int[8]);
        java.util.Arrays.fill(huge.pixels(), 1e38f); // no loader lets this in; a critic that diverges does the same
        WriterData fine = client(1, 8);
        NetworkWeights generator = GanNetworks.initialGenerator(GanPreset.TINY, 3);
        NetworkWeights critic = GanNetworks.initialCritic(GanPreset.TINY, 4);
        List<ClientUpdate> group = new ClientGroupTraining(config, 2).train(List.of("huge", "fine"), 0, generator,
                critic, List.of(huge, fine), new long[] {1, 2});
        assertTrue(group.get(0).nonFinite(), "the diverging client's update is marked");
        ClientUpdate apart = new ClientTraining(config).train("fine", 0, generator, critic, fine, 2);
        assertTrue(!group.get(1).nonFinite(), "the other client's is its own");
        org.junit.jupiter.api.Assertions.assertArrayEquals(apart.delta(), group.get(1).delta());
    }

    @Test
    void moreClientsThanTheGroupHoldsAreRefused() {
        GanTrainingConfig config = GanTrainingConfig.CPU_DEMO.toBuilder().preset(GanPreset.TINY).clientSteps(1).generatorSteps(1)
                .batchSize(4).clientsPerRound(2).rounds(1).build();
        ClientGroupTraining g = new ClientGroupTraining(config, 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> g.train(List.of("a", "b"), 0,
                GanNetworks.generatorLayout(GanPreset.TINY), GanNetworks.criticLayout(GanPreset.TINY),
                List.of(client(0, 4), client(1, 4)), new long[2])).getMessage().contains("at most 1 clients"));
    }
}

package dev.fedgan.core.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.data.DatasetLoader;
import dev.fedgan.core.data.WriterData;
import dev.fedgan.core.data.WriterPartition;
import dev.fedgan.core.privacy.AdaptiveClip;
import dev.fedgan.core.privacy.PrivacyCalculator;
import dev.fedgan.core.privacy.PrivacyStatement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rounds of the one-JVM DP-FedAvg-GAN on the tiny preset: privacy bookkeeping and exact resumption. */
class FederatedGanTrainingTest {

    static final GanTrainingConfig TINY = GanTrainingConfig.REFERENCE.withPreset(GanPreset.TINY).withClients(3, 2)
            .withRounds(4, 2).withSeed(5);

    @TempDir
    Path tmp;

    static List<WriterData> clients() {
        return DatasetLoader.load("bundled:lab", WriterPartition.Options.DEFAULT).writers().subList(0, 8);
    }

    @Test
    void epsilonIsTheAccountantsValueForTheRoundsThatRan() {
        FederatedGanTraining run = FederatedGanTraining.start(TINY, clients(), 1e-5, 3L);
        FederatedGanTraining.RoundReport r1 = run.runRound();
        FederatedGanTraining.RoundReport r2 = run.runRound();
        assertEquals(r2.clients().size(), r2.aggregate().received(), "every sampled client answered");
        assertEquals(3.0, r2.aggregate().denominator(), "fixed denominator qN = m");
        assertEquals(0.01 * 0.1, r2.aggregate().noiseStdSum(), 1e-15, "z·S on the sum");
        double expected = PrivacyCalculator.forPopulation(8, 3, 0.01, 2, 1e-5).epsilonImproved();
        assertEquals(expected, r2.epsilon(), 1e-9 * expected);
        assertTrue(r1.epsilon() < r2.epsilon());
        PrivacyStatement statement = run.privacy();
        assertEquals(2, statement.rounds());
        assertEquals(3.0 / 8, statement.samplingRate(), 1e-15);
        assertFalse(statement.secureNoise(), "a seeded run must say so");
        assertTrue(run.randomnessDescription().contains("seeded"));
    }

    @Test
    void resumingFromACheckpointGivesExactlyTheUninterruptedRun() throws IOException {
        List<WriterData> clients = clients();
        FederatedGanTraining straight = FederatedGanTraining.start(TINY, clients, null, 9L);
        List<List<String>> sampled = new java.util.ArrayList<>();
        for (int r = 0; r < 4; r++) {
            sampled.add(straight.runRound().clients());
        }
        FederatedGanTraining first = FederatedGanTraining.start(TINY, clients, null, 9L);
        first.runRound();
        first.runRound();
        Path ckpt = tmp.resolve("ckpt_0002");
        GanCheckpoint.save(first, ckpt);
        FederatedGanTraining resumed = GanCheckpoint.resume(ckpt, clients);
        assertEquals(2, resumed.round());
        List<String> third = resumed.runRound().clients();
        List<String> fourth = resumed.runRound().clients();
        assertArrayEquals(straight.generator().flatten(), resumed.generator().flatten());
        assertArrayEquals(straight.critic().flatten(), resumed.critic().flatten());
        assertEquals(straight.epsilon(), resumed.epsilon(), 0);
        assertEquals(sampled.get(2), third, "the resumed sampler continues the seeded stream");
        assertEquals(sampled.get(3), fourth);
        assertTrue(sampled.stream().map(List::size).distinct().count() > 1, "Poisson: sample sizes vary " + sampled);
    }

    @Test
    void anAdaptiveClipFollowsTheNoisedCountsIsAccountedWithZAndSurvivesACheckpoint() throws IOException {
        AdaptiveClip rule = new AdaptiveClip(0.5, 0.2, 2.0);
        GanTrainingConfig config = TINY.toBuilder().clip(1e-4).noiseMultiplier(1.5).adaptiveClip(rule).build();
        List<WriterData> clients = clients();
        FederatedGanTraining straight = FederatedGanTraining.start(config, clients, 1e-5, 4L);
        double clip = 1e-4;
        for (int r = 0; r < 4; r++) {
            FederatedGanTraining.RoundReport report = straight.runRound();
            assertEquals(clip, report.aggregate().clipNorm(), 0, "round " + (r + 1) + " clips at S_t");
            assertEquals(rule.updateNoiseMultiplier(1.5) * clip, report.aggregate().noiseStdSum(), 1e-18,
                    "the sum's noise is z_d S_t");
            clip = rule.next(clip, report.aggregate().noisedFractionWithin());
            assertEquals(clip, straight.clip(), 0);
        }
        assertTrue(straight.clip() > 1e-4, "every delta is clipped at 1e-4: S grows, " + straight.clip());
        double expected = PrivacyCalculator.forPopulation(8, 3, 1.5, 4, 1e-5).epsilonImproved();
        assertEquals(expected, straight.epsilon(), 1e-9 * expected, "accounted with z, not z_d");
        PrivacyStatement statement = straight.privacy();
        assertEquals(rule, statement.adaptiveClip());
        assertTrue(statement.paragraph().contains("S_t is adaptive"), statement.paragraph());

        FederatedGanTraining first = FederatedGanTraining.start(config, clients, 1e-5, 4L);
        first.runRound();
        first.runRound();
        Path ckpt = tmp.resolve("adaptive");
        GanCheckpoint.save(first, ckpt);
        FederatedGanTraining resumed = GanCheckpoint.resume(ckpt, clients);
        assertEquals(first.clip(), resumed.clip(), 0);
        resumed.runRound();
        resumed.runRound();
        assertEquals(straight.clip(), resumed.clip(), 0);
        assertArrayEquals(straight.critic().flatten(), resumed.critic().flatten());
    }

    @Test
    void corruptOrForeignCheckpointsAreRejectedWithTheFile() throws IOException {
        List<WriterData> clients = clients();
        FederatedGanTraining run = FederatedGanTraining.start(TINY, clients, null, 9L);
        Path ckpt = tmp.resolve("ckpt");
        GanCheckpoint.save(run, ckpt);
        IOException other = assertThrows(IOException.class, () -> GanCheckpoint.resume(ckpt, clients.subList(0, 7)));
        assertTrue(other.getMessage().contains("another population"), other.getMessage());
        byte[] critic = Files.readAllBytes(ckpt.resolve("critic.zip"));
        Files.write(ckpt.resolve("critic.zip"), java.util.Arrays.copyOf(critic, critic.length / 2));
        IOException corrupt = assertThrows(IOException.class, () -> GanCheckpoint.resume(ckpt, clients));
        assertTrue(corrupt.getMessage().contains("critic.zip"), corrupt.getMessage());
    }

    @Test
    void aRoundDrivenPhaseByPhaseIsTheSameRoundAndRefusesForeignUpdates() {
        List<WriterData> clients = clients();
        FederatedGanTraining whole = FederatedGanTraining.start(TINY, clients, null, 9L);
        whole.runRound();
        FederatedGanTraining phased = FederatedGanTraining.start(TINY, clients, null, 9L);
        FederatedGanTraining.RoundPlan plan = phased.beginRound();
        assertThrows(IllegalStateException.class, phased::beginRound, "one round at a time");
        List<ClientUpdate> updates = new java.util.ArrayList<>();
        for (int k = plan.clients().size() - 1; k >= 0; k--) {
            updates.add(phased.trainClient(plan, k)); // arrival order does not matter
        }
        ClientUpdate foreign = new ClientUpdate("not-sampled", 0, updates.get(0).delta(), 1, 1, false, 0);
        List<ClientUpdate> withForeign = new java.util.ArrayList<>(updates);
        withForeign.add(foreign);
        assertThrows(IllegalArgumentException.class, () -> phased.completeRound(plan, withForeign));
        assertThrows(IllegalStateException.class, () -> GanCheckpoint.save(phased, tmp.resolve("mid")));
        FederatedGanTraining.RoundReport r = phased.completeRound(plan, updates);
        assertEquals(1, r.round());
        assertArrayEquals(whole.critic().flatten(), phased.critic().flatten(), 1e-6f);
        assertArrayEquals(whole.generator().flatten(), phased.generator().flatten(), 1e-6f);
    }

    @Test
    void aServerThatKnowsOnlyTheClientIdsRunsTheSameRounds() throws IOException {
        List<WriterData> clients = clients();
        FederatedGanTraining remote = FederatedGanTraining.startRemote(TINY, clients.stream().map(WriterData::id).toList(),
                null, 9L);
        FederatedGanTraining.RoundPlan plan = remote.beginRound();
        assertThrows(IllegalStateException.class, () -> remote.trainClient(plan, 0), "no client data on the server");
        // The clients train elsewhere: here, a run that has their data, seeded alike, trains them.
        List<ClientUpdate> updates = new java.util.ArrayList<>();
        FederatedGanTraining helper = FederatedGanTraining.start(TINY, clients, null, 9L);
        FederatedGanTraining.RoundPlan helperPlan = helper.beginRound();
        for (int k = 0; k < helperPlan.clients().size(); k++) {
            updates.add(helper.trainClient(helperPlan, k));
        }
        assertEquals(helperPlan.clients(), plan.clients(), "same seeded sampling");
        // The updates are added as they arrive (a redelivered one counts once), while the noise is drawn ahead.
        for (ClientUpdate u : updates) {
            remote.addUpdate(plan, u);
        }
        remote.addUpdate(plan, updates.get(0));
        FederatedGanTraining.RoundReport report = remote.completeRound(plan);
        assertEquals(updates.size(), report.aggregate().received());
        assertEquals(1, report.aggregate().duplicates());
        FederatedGanTraining reference = FederatedGanTraining.start(TINY, clients, null, 9L);
        reference.runRound();
        assertArrayEquals(reference.critic().flatten(), remote.critic().flatten(), 1e-6f);
        Path ckpt = tmp.resolve("remote");
        GanCheckpoint.save(remote, ckpt);
        FederatedGanTraining resumed = GanCheckpoint.resumeRemote(ckpt);
        assertEquals(1, resumed.round());
        assertEquals(remote.clientIds(), resumed.clientIds());
    }

    @Test
    void roundsSummedInOneTwoOrFourSharesGiveIdenticalWeights() {
        List<WriterData> clients = clients();
        GanTrainingConfig config = TINY.withClients(6, 2);
        float[][] critics = new float[3][];
        int[] shareCounts = {1, 2, 4};
        for (int run = 0; run < 3; run++) {
            int shares = shareCounts[run];
            FederatedGanTraining server = FederatedGanTraining.startRemote(config,
                    clients.stream().map(WriterData::id).toList(), null, 9L);
            FederatedGanTraining trainer = FederatedGanTraining.start(config, clients, null, 9L);
            for (int round = 0; round < 2; round++) {
                FederatedGanTraining.RoundPlan plan = server.beginRound();
                FederatedGanTraining.RoundPlan trained = trainer.beginRound();
                List<RoundShare> parts = new java.util.ArrayList<>();
                for (int s = 0; s < shares; s++) {
                    parts.add(server.newShare(plan));
                }
                List<ClientUpdate> updates = new java.util.ArrayList<>();
                for (int k = 0; k < trained.clients().size(); k++) {
                    updates.add(trainer.trainClient(trained, k));
                }
                java.util.Collections.reverse(updates); // another arrival order than the one-share run's
                for (int k = 0; k < updates.size(); k++) {
                    parts.get((k + run) % shares).add(updates.get(k));
                }
                parts.forEach(p -> server.addShare(plan, p));
                assertEquals(updates.size(), server.completeRound(plan).aggregate().received());
                trainer.completeRound(trained, updates);
                assertArrayEquals(trainer.critic().flatten(), server.critic().flatten(), 1e-6f);
            }
            critics[run] = server.critic().flatten();
        }
        assertArrayEquals(critics[0], critics[1], 0.0f, "2 shares");
        assertArrayEquals(critics[0], critics[2], 0.0f, "4 shares");
    }

    @Test
    void aShareOfAnotherRoundOrWithAClientNotSampledIsRefused() {
        List<WriterData> clients = clients();
        FederatedGanTraining server = FederatedGanTraining.startRemote(TINY,
                clients.stream().map(WriterData::id).toList(), null, 9L);
        FederatedGanTraining.RoundPlan plan = server.beginRound();
        int length = Math.toIntExact(server.critic().length());
        RoundShare later = RoundShare.of(plan.round() + 1, length, 0.1);
        assertThrows(IllegalArgumentException.class, () -> server.addShare(plan, later));
        String outsider = clients.stream().map(WriterData::id).filter(id -> !plan.clients().contains(id))
                .findFirst().orElseThrow();
        RoundShare foreign = server.newShare(plan);
        foreign.add(new ClientUpdate(outsider, plan.round(), new float[length], 1, 1, false, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> server.addShare(plan, foreign));
        assertTrue(e.getMessage().contains(outsider + ", not sampled"), e.getMessage());
    }

    @Test
    void qAndTheStatementUseThePublicPopulationSizeNotTheNumberOfMembers() throws IOException {
        // The selection's N̂ = 12 for 8 members: q = m / N̂, the accountant charges that q, the statement names N̂.
        List<WriterData> members = clients();
        FederatedGanTraining run = FederatedGanTraining.start(TINY, members, 12, 2e-6, 3L);
        assertEquals(3.0 / 12, run.samplingRate(), 0);
        assertEquals(12, run.population());
        assertEquals(8, run.clientIds().size());
        run.runRound();
        run.runRound();
        double expected = PrivacyCalculator.forPopulation(12, 3, 0.01, 2, 2e-6).epsilonImproved();
        assertEquals(expected, run.epsilon(), 1e-9 * expected);
        PrivacyStatement statement = run.privacy();
        assertEquals(12, statement.population());
        assertEquals(3.0 / 12, statement.samplingRate(), 0);
        assertEquals(2e-6, statement.delta(), 0);
        // A checkpoint keeps N̂, so a resumed run charges the same q.
        Path ckpt = tmp.resolve("n-hat");
        GanCheckpoint.save(run, ckpt);
        FederatedGanTraining resumed = GanCheckpoint.resume(ckpt, members);
        assertEquals(12, resumed.population());
        assertEquals(run.samplingRate(), resumed.samplingRate(), 0);
        // The aggregator's form: ids only, N̂ below the number of members (noise can go either way).
        FederatedGanTraining remote = FederatedGanTraining.startRemote(TINY, members.stream().map(WriterData::id).toList(),
                5, 1e-5, 3L);
        assertEquals(3.0 / 5, remote.samplingRate(), 0);
        assertEquals(5, GanCheckpoint.state(remote).populationSize());
    }

    @Test
    void aPopulationWithoutMembersReleasesNoiseOnlyAndIsAccounted() {
        // N̂ is noisy: a population can have no member while N̂ >= m. Every round then samples nobody.
        FederatedGanTraining run = FederatedGanTraining.startRemote(TINY, List.of(), 6, 1e-5, 3L);
        FederatedGanTraining.RoundPlan plan = run.beginRound();
        assertTrue(plan.clients().isEmpty());
        FederatedGanTraining.RoundReport r = run.completeRound(plan, List.of());
        assertEquals(0, r.aggregate().received());
        double expected = PrivacyCalculator.forPopulation(6, 3, 0.01, 1, 1e-5).epsilonImproved();
        assertEquals(expected, r.epsilon(), 1e-9 * expected);
    }

    /** A fresh seeded run whose first round's plan (begun) has a size accepted by {@code size}, and that plan. */
    private record Begun(FederatedGanTraining run, FederatedGanTraining.RoundPlan plan, float[] criticBefore,
            float[] generatorBefore, long seed) {
    }

    private static Begun firstRoundSampling(GanTrainingConfig config, java.util.function.IntPredicate size) {
        for (long seed = 1; seed < 500; seed++) {
            Begun b = begin(config, seed);
            if (size.test(b.plan().clients().size())) {
                return b;
            }
        }
        throw new AssertionError("no seed below 500 samples such a round");
    }

    private static Begun begin(GanTrainingConfig config, long seed) {
        FederatedGanTraining run = FederatedGanTraining.start(config, clients(), 1e-5, seed);
        float[] critic = run.critic().flatten();
        float[] generator = run.generator().flatten();
        return new Begun(run, run.beginRound(), critic, generator, seed);
    }

    /** With the same seed and generator steps: the round samples nobody again and still trains the generator. */
    private static void generatorStepsRunToo(GanTrainingConfig config, long seed) {
        Begun b = begin(config.toBuilder().generatorSteps(1).build(), seed);
        assertEquals(List.of(), b.plan().clients());
        b.run().completeRound(b.plan(), List.of());
        assertFalse(java.util.Arrays.equals(b.generatorBefore(), b.run().generator().flatten()), "generator steps ran");
    }

    @Test
    void aRoundWithNoClientReleasesNoiseOverMAndIsAccounted() {
        // No generator steps: they move the critic's BatchNorm statistics too; checked apart.
        GanTrainingConfig oneExpected = TINY.toBuilder().clientsPerRound(1).clientSteps(1).generatorSteps(0).rounds(1)
                .noiseMultiplier(1.0).imagesEvery(5).checkpointEvery(100).build();
        Begun b = firstRoundSampling(oneExpected, k -> k == 0); // P = (7/8)^8 per seed
        assertEquals(List.of(), b.plan().clients());
        FederatedGanTraining.RoundReport r = b.run().completeRound(b.plan(), List.of());
        assertEquals(1, r.round());
        assertEquals(0, r.aggregate().received());
        assertEquals(1.0, r.aggregate().denominator(), "qN = m = 1, not the 0 sampled");
        // The critic moved by exactly the seeded stream's first noise draw, std z·S, divided by m = 1.
        float[] after = b.run().critic().flatten();
        double[] noise = dev.fedgan.core.privacy.GaussianNoise.seeded(b.seed()).sample(after.length, 1.0 * TINY.clip());
        for (int i = 0; i < after.length; i++) {
            assertEquals(b.criticBefore()[i] + (float) (noise[i] / 1), after[i], 0.0f, "coordinate " + i);
        }
        generatorStepsRunToo(oneExpected, b.seed());
        double expected = PrivacyCalculator.forPopulation(8, 1, 1.0, 1, 1e-5).epsilonImproved();
        assertEquals(expected, r.epsilon(), 1e-12 * expected, "the empty round is accounted");
        assertEquals(1, b.run().privacy().rounds());
    }

    @Test
    void withoutDpARoundWithNoClientLeavesTheCriticAlone() {
        GanTrainingConfig plain = TINY.toBuilder().clientsPerRound(1).clientSteps(1).generatorSteps(0).rounds(1)
                .differentialPrivacy(false).imagesEvery(5).checkpointEvery(100).build();
        Begun b = firstRoundSampling(plain, k -> k == 0);
        FederatedGanTraining.RoundReport r = b.run().completeRound(b.plan(), List.of());
        assertEquals(1, r.round());
        assertEquals(0, r.aggregate().received());
        assertArrayEquals(b.criticBefore(), b.run().critic().flatten(), 0.0f, "no critic update");
        generatorStepsRunToo(plain, b.seed());
        assertEquals(Double.POSITIVE_INFINITY, r.epsilon());
        assertEquals(1, b.run().privacy().rounds());
        assertFalse(b.run().privacy().differentiallyPrivate());
    }

    @Test
    void theDenominatorIsMNotTheNumberSampled() {
        GanTrainingConfig noNoise = TINY.toBuilder().clientSteps(1).generatorSteps(0).rounds(1).clip(1e6)
                .noiseMultiplier(0.0).imagesEvery(5).checkpointEvery(100).build();
        for (java.util.function.IntPredicate size : List.<java.util.function.IntPredicate>of(k -> k > 3,
                k -> k > 0 && k < 3)) {
            Begun b = firstRoundSampling(noNoise, size);
            int k = b.plan().clients().size();
            List<ClientUpdate> updates = new java.util.ArrayList<>();
            for (int c = 0; c < k; c++) {
                updates.add(b.run().trainClient(b.plan(), c));
            }
            FederatedGanTraining.RoundReport r = b.run().completeRound(b.plan(), updates);
            assertEquals(k, r.aggregate().received());
            assertEquals(3.0, r.aggregate().denominator(), k + " sampled, m = 3");
            float[] after = b.run().critic().flatten();
            for (int i = 0; i < after.length; i += 97) {
                double sum = 0;
                for (ClientUpdate u : updates) {
                    sum += u.delta()[i];
                }
                assertEquals(b.criticBefore()[i] + sum / 3, after[i], 1e-6, k + " sampled, coordinate " + i);
            }
        }
    }

    @Test
    void aRoundWithMissingUpdatesStillDividesByM() {
        GanTrainingConfig noNoise = TINY.toBuilder().clientSteps(1).generatorSteps(0).rounds(1).clip(1e6)
                .noiseMultiplier(0.0).imagesEvery(5).checkpointEvery(100).build();
        Begun b = firstRoundSampling(noNoise, k -> k >= 2);
        FederatedGanTraining run = b.run();
        float[] before = b.criticBefore();
        FederatedGanTraining.RoundPlan plan = b.plan();
        ClientUpdate only = run.trainClient(plan, 0);
        FederatedGanTraining.RoundReport r = run.completeRound(plan, List.of(only));
        assertEquals(1, r.aggregate().received());
        assertEquals(3.0, r.aggregate().denominator());
        float[] after = run.critic().flatten();
        for (int i = 0; i < after.length; i += 97) {
            assertEquals(before[i] + only.delta()[i] / 3f, after[i], 1e-6f, "coordinate " + i);
        }
    }

    @Test
    void aClientWhoseCriticBlowsUpSendsAZeroDeltaAndIsCounted() {
        List<WriterData> clients = clients();
        NetworkWeights critic = GanNetworks.initialCritic(GanPreset.TINY, 1);
        critic.get("d_out_b").putScalar(0, Float.NaN);
        ClientUpdate u = new ClientTraining(TINY).train(clients.get(0).id(), 0,
                GanNetworks.initialGenerator(GanPreset.TINY, 1), critic, clients.get(0), 1);
        assertTrue(u.nonFinite());
        for (float v : u.delta()) {
            assertEquals(0f, v);
        }
        assertEquals(critic.length(), u.delta().length, "the delta covers every critic weight, BN statistics included");
    }

    @Test
    void anEpsilonTargetStopsTheRunBeforeItIsExceeded() throws IOException {
        List<WriterData> clients = clients();
        // z = 1 so that ε grows slowly enough to be stopped part-way: find the ε of 2 rounds, target just above it.
        GanTrainingConfig noisy = TINY.toBuilder().clientSteps(1).generatorSteps(1).rounds(10).noiseMultiplier(1.0)
                .imagesEvery(5).checkpointEvery(100).build();
        double target = PrivacyCalculator.forPopulation(8, 3, 1.0, 2, 1e-5).epsilonImproved() * 1.0001;
        FederatedGanTraining run = FederatedGanTraining.start(noisy, clients, 1e-5, 4L);
        GanExperiment.Result r = GanExperiment.run("target", run, new GanExperiment.Options(target, null, null),
                tmp.resolve("target"), dev.fedgan.core.progress.Progress.NONE);
        assertEquals(2, r.rounds(), r.stoppedBecause());
        assertTrue(r.stoppedBecause().contains("would exceed the target"), r.stoppedBecause());
        assertTrue(r.privacy().epsilonImproved() <= target);
        assertEquals(3, Files.readAllLines(tmp.resolve("target/rounds.csv")).size(), "header + 2 rounds");
    }

    @Test
    void absurdSettingsAreRejectedBeforeAnyRound() {
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> FederatedGanTraining.start(TINY.withClients(9, 1), clients(), null, 1L));
        assertEquals("expected clients per round (9) exceeds the population size (N = 8): q = m/N must be <= 1",
                tooMany.getMessage());
        IllegalArgumentException belowM = assertThrows(IllegalArgumentException.class,
                () -> FederatedGanTraining.startRemote(TINY, List.of("a", "b", "c", "d"), 2, 1e-5, 1L));
        assertEquals("expected clients per round (3) exceeds the population size (N = 2): q = m/N must be <= 1",
                belowM.getMessage());
        IllegalArgumentException clip = assertThrows(IllegalArgumentException.class,
                () -> TINY.toBuilder().clip(-0.1).build());
        assertEquals("clip norm S must be in (0, 1e12), got -0.1", clip.getMessage());
    }
}

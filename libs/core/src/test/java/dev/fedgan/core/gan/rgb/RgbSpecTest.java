package dev.fedgan.core.gan.rgb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.data.ColourImages;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stored form of an RGB run: read back equal, checked on the way in, the same clients wherever loaded. */
class RgbSpecTest {

    private static RgbSpec spec(String clients, int gridEvery) {
        return new RgbSpec("shapes", 24, clients, 2, 2, 5, 2, 4, 1.0, 1.1, false, 2e-4, 7, true, gridEvery, false);
    }

    @Test
    void readsBackEqualAndLoadsTheSameClientsEachTime() {
        RgbSpec s = spec("even:3", 2);
        assertEquals(s, RgbSpec.fromJson(s.toJson()));
        ColourImages a = s.clientImages();
        ColourImages b = RgbSpec.fromJson(s.toJson()).clientImages();
        assertEquals(List.of("client-0", "client-1", "client-2").size(), a.clientIds().size());
        assertEquals(a.clientIds(), b.clientIds());
        assertEquals(a.fingerprint(), b.fingerprint());
        assertTrue(java.util.Arrays.equals(a.clients(), b.clients()), "the same partition");
        assertEquals(1e-5, s.delta(DcganFederation.sizes(a)), 0, "min(1e-5, 8^-1.1) = 1e-5");
        assertEquals(1.1, s.options().client().noiseMultiplier());
    }

    @Test
    void aUserLevelRunReadsBackAndTakesDeltaFromItsClientCount() {
        RgbSpec u = spec("even:3", 2).atUserLevel(2, 3);
        assertEquals(u, RgbSpec.fromJson(u.toJson()));
        assertEquals(2, u.userOptions().clientsPerRound());
        assertEquals(3, u.userOptions().generatorSteps());
        assertTrue(u.server(new int[] {8, 8, 8}) instanceof UserLevelFederation.Server);
        assertTrue(spec("even:3", 2).server(new int[] {8, 8, 8}) instanceof DcganFederation.Server);
        int[] many = new int[40_000];
        java.util.Arrays.fill(many, 4);
        assertEquals(Math.pow(40_000, -1.1), u.delta(many), 1e-18, "user level: N clients");
        assertEquals(1e-5, spec("even:3", 2).delta(many), 0, "sample level: the smallest client's 4 images");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> spec("even:3", 2).atUserLevel(4, 1)
                .checkedSizes(spec("even:3", 2).clientImages())).getMessage().contains("3 clients and m = 4"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> spec("even:3", 2).atUserLevel(2, 0))
                .getMessage().contains("generator steps"));
        assertThrows(IllegalStateException.class, () -> spec("even:3", 2).userOptions());
    }

    @Test
    void gridsEveryKRoundsAndAfterTheLast() {
        RgbSpec s = spec("even:2", 2); // 5 rounds
        assertFalse(s.drawsGrid(1));
        assertTrue(s.drawsGrid(2));
        assertFalse(s.drawsGrid(3));
        assertTrue(s.drawsGrid(4));
        assertTrue(s.drawsGrid(5));
    }

    @Test
    void thePrivacyStatementsNameWhatTheCodeDid() {
        String s = RgbRunFiles.samplePrivacy(spec("even:3", 1), 3, 8, 1e-5, 2.5);
        assertTrue(s.startsWith("Sample level: each of the 3 clients") && s.contains("S = 1, N(0, (zS)²) added with z "
                + "= 1.1), 10 steps over 5 rounds") && s.contains("ε = 2.500 at δ = 1.00e-05 (the smallest client, 8 "
                + "images, q = 0.5000)"), s);
        assertFalse(s.contains("WGAN-GP"), s);
        String w = RgbRunFiles.samplePrivacy(spec("even:3", 1).withLoss(DcganClient.Objective.WGAN_GP), 3, 8, 1e-5,
                2.5);
        assertTrue(w.contains("its gradient (WGAN-GP: its score's and its gradient penalty's at a point between it and"
                + " a generated image, as one vector) clipped to S = 1"), w);
        String u = RgbRunFiles.userPrivacy(new UserLevelFederation.Options(new DcganNetworks.Widths(2, 2), 4, 2, 1, 4,
                0.5, 1.2, 1, 2e-4, 1, true, false), 10, 1e-5, 3.25);
        assertTrue(u.contains("q = 2/10") && u.contains("S = 0.5") && u.contains("z = 1.2") && u.contains("divides by 2")
                && u.contains("ε = 3.250 at δ = 1.00e-05 after 4 rounds") && u.contains("all of one client's"), u);
    }

    @Test
    void badRunsAreRefusedByNameBeforeAnyWork() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> spec("even:2", 0)).getMessage()
                .contains("grids every k rounds"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RgbSpec("shapes", 24, "even:2", 2, 2, 5, 2,
                1, 1.0, 1.1, false, 2e-4, 7, true, 1, false)).getMessage().contains("expected batch must be >= 2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> spec("halves", 1).clientImages()).getMessage()
                .contains("got 'halves'"));
        String json = spec("even:2", 1).toJson().replace("\"rounds\" : 5", "\"rounds\" : 0");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RgbSpec.fromJson(json)).getMessage()
                .contains("rounds and local steps must be in [1, 100000]"));
        RgbSpec wgan = spec("even:2", 1).withLoss(DcganClient.Objective.WGAN_GP).atUserLevel(2, 1);
        assertEquals(wgan, RgbSpec.fromJson(wgan.toJson()));
        assertEquals(DcganClient.Objective.WGAN_GP, wgan.options().client().objective());
        assertEquals(DcganClient.Objective.WGAN_GP, wgan.userOptions().objective());
        String dcgan = spec("even:2", 1).toJson();
        assertTrue(dcgan.contains("\"loss\" : \"DCGAN\""), dcgan);
        RgbSpec stored = RgbSpec.fromJson(dcgan.replaceAll(",\\s*\"loss\" : \"DCGAN\"", ""));
        assertEquals(DcganClient.Objective.DCGAN, stored.loss(), "a spec stored without a loss is the DCGAN's");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RgbSpec.fromJson("{\"data\":\"shapes\","
                + "\"colour\":1}")).getMessage().startsWith("not an RGB run"));
    }

    @Test
    void theRoundsCsvLeavesUnknownCellsEmpty() {
        List<RgbRunFiles.Row> rounds = List.of(
                new RgbRunFiles.Row(new DcganFederation.Round(1, Double.NaN, 0.5, 0.25, 1.5), null),
                new RgbRunFiles.Row(new DcganFederation.Round(2, 0.125, 0.5, 0.25, 2.0), 31.25));
        assertEquals(RgbRunFiles.CSV_HEADER + "1,0.500000,0.250000,1.5,\n2,0.500000,0.250000,2.0,31.2500\n",
                RgbRunFiles.csv(rounds, false), "no real-image loss released");
        assertTrue(RgbRunFiles.csv(rounds, true).endsWith("2,0.500000,0.250000,,31.2500\n"));
        assertEquals("round 2, epsilon 2.00, FD 31.3", RgbRunFiles.caption(rounds.get(1), false));
        assertEquals("round 1", RgbRunFiles.caption(rounds.get(0), true));
        assertEquals("grids/round-0012.png", RgbRunFiles.grid(12));
        String html = RgbRunFiles.report("run <1>", "Sample level: q = 0.25", rounds, false, true, 2);
        assertTrue(html.contains("<h1>run &lt;1&gt;</h1>") && html.contains("Sample level: q = 0.25"), html);
        assertTrue(html.contains("<tr><td>2</td><td>0.5000</td><td>0.2500</td><td>2.000</td><td>31.25</td></tr>"), html);
        assertTrue(html.contains("src=\"grids/round-0002.png\"") && html.contains("src=\"quality.png\""), html);
        assertEquals(960, RgbRunFiles.chart(rounds, false).getWidth());
        assertEquals(null, RgbRunFiles.chart(List.of(new RgbRunFiles.Row(rounds.get(0).round(), null)), true),
                "nothing to chart: non-private, no quality figure");
    }
}

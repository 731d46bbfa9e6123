package dev.fedgan.modelstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fedgan.core.data.ColourImages;
import dev.fedgan.core.gan.rgb.ColourQuality;
import dev.fedgan.core.gan.rgb.DcganFederation;
import dev.fedgan.core.gan.rgb.FederationServer;
import dev.fedgan.core.gan.rgb.RgbRunFiles;
import dev.fedgan.core.gan.rgb.RgbSpec;
import dev.fedgan.core.gan.rgb.UserLevelFederation;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.progress.Progress;
import dev.fedgan.devstack.EmbeddedS3;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.objectstore.StorageException;
import dev.fedgan.protocol.Messages;
import dev.fedgan.protocol.ObjectRef;
import dev.fedgan.protocol.RgbRequest;
import dev.fedgan.protocol.RgbRoundDone;
import dev.fedgan.protocol.RgbRoundTask;
import dev.fedgan.protocol.RgbRunTask;
import dev.fedgan.protocol.RgbUpdateReady;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An RGB run submitted, its rounds run as the aggregator and client-update replicas run them, and rendered, on S3. */
class RgbRunsTest {

    /** Bundled data and shapes only. */
    private static final dev.fedgan.core.data.DataRoots NO_PATHS = dev.fedgan.core.data.DataRoots.of(List.of());

    private static EmbeddedS3 s3;
    private static ObjectStore objects;

    @BeforeAll
    static void start() {
        s3 = EmbeddedS3.builder().start();
        objects = ObjectStore.connect(s3.endpoint(), s3.accessKey(), s3.secretKey(), "fedgan");
    }

    @AfterAll
    static void stop() {
        if (objects != null) {
            objects.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    private static RgbSpec spec(int batch, int gridEvery) {
        return new RgbSpec("shapes", 24, "even:2", 2, 2, 3, 1, batch, 1.0, 1.1, false, 2e-4, 7, true, gridEvery, true);
    }

    private static RgbRequest request(String id, RgbSpec spec) throws Exception {
        return new RgbRequest(Messages.SCHEMA, id, Json.MAPPER.readTree(spec.toJson()));
    }

    /**
     * Through the store only, each client's round on a "replica" of its own (a new instance per task): the networks
     * after every round, rounds.csv and the GIF are those of the one-JVM run; a task run again gives the same update;
     * the run's working objects are gone at its end.
     */
    @Test
    void aRunOnTheStoreEqualsTheOneJvmRunFileForFile() throws Exception {
        RgbSpec spec = spec(4, 2); // 3 rounds, grids at 2 and 3
        RgbRunTask task = new RgbRuns(objects).submit(request("g1", spec), NO_PATHS);
        assertEquals(2, task.clients());
        RgbRuns render = new RgbRuns(objects);
        RgbRuns first = new RgbRuns(objects);
        RgbRuns.Start start = first.start(task, "run-1");
        assertEquals(null, start.last());
        FederationServer server = run("g1", task, first, start, render, 2); // an aggregator that dies after round 2
        RgbRuns aggregator = new RgbRuns(objects);
        RgbRuns.Start again = aggregator.start(task, "run-2");
        assertEquals("run-1", again.run(), "taken up under the run whose client states it needs");
        assertEquals(2, again.server().round());
        assertEquals(2, again.last().round());
        server = run("g1", task, aggregator, again, render, 3);
        assertTrue(aggregator.start(task, "run-3").server().finished(), "a finished run is not trained again");
        aggregator.finishRun("g1");
        assertEquals(List.of(), objects.list(ExperimentLayout.rgbRuns("g1")), "nothing of the run's rounds left");

        // the one-JVM run, and the files fedgan rgb writes from it
        ColourImages images = spec.clientImages();
        DcganFederation fed = new DcganFederation(images, spec.options(), spec.delta(DcganFederation.sizes(images)));
        ColourQuality judge = spec.quality(images);
        List<RgbRunFiles.Row> rows = new ArrayList<>();
        List<BufferedImage> grids = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int round = 1; round <= 3; round++) {
            DcganFederation.Round r = fed.round(Progress.NONE);
            boolean drawn = spec.drawsGrid(round);
            RgbRunFiles.Row row = new RgbRunFiles.Row(r, drawn ? spec.qualityOf(judge, fed.generator()) : null);
            rows.add(row);
            if (drawn) {
                grids.add(RgbRunFiles.gridImage(fed.draw(RgbSpec.GRID_IMAGES)));
                captions.add(RgbRunFiles.caption(row, false));
            }
        }
        assertArrayEquals(fed.generator().params().toFloatVector(), server.generator().params().toFloatVector());
        assertArrayEquals(fed.discriminator().params().toFloatVector(),
                server.discriminator().params().toFloatVector());
        String csv = new String(objects.get(ExperimentLayout.file("g1", RgbRunFiles.CSV)), StandardCharsets.UTF_8);
        assertEquals(RgbRunFiles.csv(rows, false), csv);
        assertTrue(csv.lines().skip(2).findFirst().orElseThrow().matches("2,.*,[0-9.]+"), csv);
        assertArrayEquals(RgbRunFiles.gif(grids, captions), objects.get(ExperimentLayout.file("g1", RgbRunFiles.GIF)));
        assertTrue(objects.exists(ExperimentLayout.file("g1", RgbRunFiles.grid(2))));
        String privacy = RgbRunFiles.samplePrivacy(spec, 2, 12, 1e-5, rows.get(2).round().epsilon());
        assertTrue(privacy.contains("smallest client, 12 images, q = 0.3333"), privacy);
        assertEquals(RgbRunFiles.report("fedgan RGB DCGAN g1", privacy, rows, false, true, 3),
                new String(objects.get(ExperimentLayout.file("g1", RgbRunFiles.HTML)), StandardCharsets.UTF_8));
        assertArrayEquals(RgbRunFiles.png(RgbRunFiles.chart(rows, false)),
                objects.get(ExperimentLayout.file("g1", RgbRunFiles.CHART)));
        assertTrue(!objects.exists(ExperimentLayout.file("g1", RgbRunFiles.grid(1))), "no grid at round 1");
    }

    /**
     * The aggregator's loop as RgbRunner runs it, through round {@code through}, each participating client on a new
     * "replica"; round 2's first participant is run twice (a redelivered task): the same networks.
     */
    private static FederationServer run(String id, RgbRunTask task, RgbRuns aggregator, RgbRuns.Start start,
                                        RgbRuns render, int through) {
        FederationServer server = start.server();
        ObjectRef global = start.nextGlobal();
        while (server.round() < through) {
            int round = server.begin();
            if (global == null) {
                global = aggregator.putGlobal(id, start.run(), round, server);
            }
            int[] participants = server.participants();
            for (int k : participants) {
                RgbRoundTask t = new RgbRoundTask(Messages.SCHEMA, id, task.spec(), start.run(), round, k, global);
                RgbUpdateReady u = new RgbRuns(objects).clientRound(t);
                if (round == 2 && k == participants[0]) {
                    int n = Math.toIntExact(server.discriminator().numParams() + (server instanceof
                            UserLevelFederation.Server ? 0 : server.generator().numParams()));
                    assertArrayEquals(new ModelStore(objects).getDelta(u.update(), n),
                            new ModelStore(objects).getDelta(new RgbRuns(objects).clientRound(t).update(), n));
                }
                aggregator.add(server, u);
            }
            RgbRuns.Checkpoint c = aggregator.finishRound(task, start.run(), server, server.finish());
            render.render(c.done());
            global = c.nextGlobal();
        }
        return server;
    }

    /**
     * A user-level run through the store, its aggregator stopping after round 2: the draws, the networks, rounds.csv,
     * the GIF and the report equal the one-JVM run's; the announcements name no client's size.
     */
    @Test
    void aUserLevelRunOnTheStoreEqualsTheOneJvmRun() throws Exception {
        RgbSpec spec = new RgbSpec("shapes", 24, "even:3", 2, 2, 3, 1, 4, 0.5, 1.1, false, 2e-4, 7, true, 1, false)
                .atUserLevel(2, 1);
        RgbRunTask task = new RgbRuns(objects).submit(request("g6", spec), NO_PATHS);
        RgbRuns render = new RgbRuns(objects);
        RgbRuns first = new RgbRuns(objects);
        run("g6", task, first, first.start(task, "run-1"), render, 2);
        RgbRuns aggregator = new RgbRuns(objects);
        RgbRuns.Start again = aggregator.start(task, "run-2");
        assertEquals(2, again.server().round());
        assertEquals(null, again.last().smallestClient(), "user level releases no client's size");
        FederationServer server = run("g6", task, aggregator, again, render, 3);
        aggregator.finishRun("g6");

        ColourImages images = spec.clientImages();
        double delta = spec.delta(DcganFederation.sizes(images));
        UserLevelFederation fed = new UserLevelFederation(images, spec.userOptions(), delta);
        List<RgbRunFiles.Row> rows = new ArrayList<>();
        List<BufferedImage> grids = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int round = 1; round <= 3; round++) {
            RgbRunFiles.Row row = new RgbRunFiles.Row(fed.round(Progress.NONE), null);
            rows.add(row);
            grids.add(RgbRunFiles.gridImage(fed.draw(RgbSpec.GRID_IMAGES)));
            captions.add(RgbRunFiles.caption(row, false));
        }
        assertArrayEquals(fed.generator().params().toFloatVector(), server.generator().params().toFloatVector());
        assertArrayEquals(fed.discriminator().params().toFloatVector(),
                server.discriminator().params().toFloatVector());
        assertEquals(RgbRunFiles.csv(rows, false), new String(objects.get(ExperimentLayout.file("g6",
                RgbRunFiles.CSV)), StandardCharsets.UTF_8));
        assertArrayEquals(RgbRunFiles.gif(grids, captions), objects.get(ExperimentLayout.file("g6", RgbRunFiles.GIF)));
        String privacy = RgbRunFiles.userPrivacy(spec.userOptions(), 3, delta, rows.get(2).round().epsilon());
        assertTrue(privacy.startsWith("User level"), privacy);
        assertEquals(RgbRunFiles.report("fedgan RGB DCGAN g6", privacy, rows, false, true, 3),
                new String(objects.get(ExperimentLayout.file("g6", RgbRunFiles.HTML)), StandardCharsets.UTF_8));
    }

    @Test
    void badRunsAndForeignTasksAreRefusedByName() throws Exception {
        RgbRuns runs = new RgbRuns(objects);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> runs.submit(request("g2", spec(13, 1)), NO_PATHS)).getMessage().contains("fewer than the expected batch of 13"));
        RgbSpec folder = new RgbSpec("/data/private-photos", 0, "folder", 2, 2, 1, 1, 4, 1.0, 1.1, false, 2e-4, 7,
                false, 1, true);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> runs.submit(request("g5", folder), NO_PATHS))
                .getMessage().contains("only for the generated shapes"));
        RgbSpec elsewhere = new RgbSpec("/etc", 0, "folder", 2, 2, 1, 1, 4, 1.0, 1.1, false, 2e-4, 7, false, 1, false);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> runs.submit(request("g6", elsewhere),
                NO_PATHS)).getMessage().startsWith("data '/etc' is outside the data roots []"));
        RgbRunTask task = runs.submit(request("g3", spec(4, 1)), NO_PATHS);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> runs.submit(request("g3", spec(5, 1)), NO_PATHS)).getMessage().contains("exists with other data or options"));
        FederationServer server = runs.start(task, "r").server();
        server.begin();
        ObjectRef global = runs.putGlobal("g3", "r", 1, server);
        RgbRoundTask foreign = new RgbRoundTask(Messages.SCHEMA, "g4", task.spec(), "r", 1, 0, global);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> runs.clientRound(foreign)).getMessage()
                .contains("names experiments/g3/rgb/spec.json"));
        RgbRoundTask third = new RgbRoundTask(Messages.SCHEMA, "g3", task.spec(), "r", 1, 2, global);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> runs.clientRound(third)).getMessage()
                .contains("names client 2, whose images the run does not have"));
        RgbRoundTask noState = new RgbRoundTask(Messages.SCHEMA, "g3", task.spec(), "r", 2, 0, global);
        assertThrows(StorageException.class, () -> runs.clientRound(noState));
    }
}

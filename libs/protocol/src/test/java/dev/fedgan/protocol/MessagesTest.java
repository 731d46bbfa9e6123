package dev.fedgan.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The message contracts: round trips, and the reasons a bad message is dead-lettered with. */
class MessagesTest {

    static final ObjectRef WEIGHTS = new ObjectRef("fedgan", "experiments/e1/critic/round-00003-0123456789abcdef.zip",
            26_235_652, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");

    static ExperimentRequest request() {
        return new ExperimentRequest(1, "e1", "bundled:field", null, null, 0.5, 7, null, null,
                new GanSettings("compact", 150, 5, 3, 3, 0.01, 0.1, 0.1, 0.01, null, 10, 1L, null, null, null, null, null,
                        null), null, null, null,
                null, null, null);
    }

    @Test
    void theDocumentedRequestDecodes() {
        String json = """
                {"schema": 1, "experiment_id": "inversion-demo", "data": "bundled:field", "invert_probability": 0.5,
                 "bug_seed": 7, "gan": {"preset": "compact", "rounds": 150, "clients_per_round": 5, "noise_multiplier": 1.0}}
                """;
        ExperimentRequest r = Messages.decode(json, ExperimentRequest.class);
        assertEquals("inversion-demo", r.experimentId());
        assertEquals(5, r.gan().clientsPerRound());
        assertEquals(1.0, r.gan().noiseMultiplier());
        assertEquals(null, r.gan().clip(), "unset settings stay null: the service applies its defaults");
    }

    @Test
    void everyMessageSurvivesARoundTrip() {
        List<Message> all = List.of(request(),
                new PopulationReady(1, "e1", "low_accuracy", List.of("w01", "w07"), 3, 1e-5, WEIGHTS, WEIGHTS, request()),
                new RoundTask(1, "e1", "low_accuracy", 3, "w07", WEIGHTS, WEIGHTS, 99, request().gan(), "bundled:field", 0.5, 7,
                        2),
                new ClientUpdateReady(1, "e1", "low_accuracy", 3, "w07", WEIGHTS, 64, 2, false, 0.25),
                new RoundCompleted(1, "e1", "low_accuracy", 4, 0.75, 2.5e4, 3.1e4, 1e-3, WEIGHTS, WEIGHTS, false, null, 523),
                new ImagesReady(1, "e1", "low_accuracy", 4, WEIGHTS, 0.71, "INVERTED", 2.1, 180.0, WEIGHTS, "v", 3.5),
                Messages.deadLetter("aggregator", "fedgan.client-updates", 0, 12, "e1", "{\"experiment_id\":\"e1\"}", "why"));
        for (Message m : all) {
            assertEquals(m, Messages.decode(Messages.encode(m), m.getClass()), m.getClass().getSimpleName());
        }
        assertTrue(Messages.encode(request()).contains("\"experiment_id\":\"e1\""), "snake_case on the wire");
    }

    @Test
    void aRequestForADpSgdClassifierDecodesAndRoundTrips() {
        String json = """
                {"schema": 1, "experiment_id": "dp-1", "data": "bundled:field", "invert_probability": 0.5, "bug_seed": 7,
                 "classifier_privacy": {"clip": 1.5, "noise_multiplier": 1.1, "delta": 1e-6, "batch": 128, "epochs": 2.5,
                                        "learning_rate": 0.2, "momentum": 0.5}}
                """;
        ExperimentRequest r = Messages.decode(json, ExperimentRequest.class);
        assertEquals(new ClassifierPrivacy(1.5, 1.1, null, 1e-6, 128, 2.5, 0.2, 0.5), r.classifierPrivacy());
        assertEquals(r, Messages.decode(Messages.encode(r), ExperimentRequest.class));
        assertTrue(Messages.encode(r).contains("\"classifier_privacy\":{\"clip\":1.5,\"noise_multiplier\":1.1,"
                + "\"delta\":1.0E-6,\"batch\":128,\"epochs\":2.5,\"learning_rate\":0.2,\"momentum\":0.5}"),
                Messages.encode(r));
        ExperimentRequest target = Messages.decode(json.replace("\"noise_multiplier\": 1.1", "\"target_epsilon\": 3"),
                ExperimentRequest.class);
        assertEquals(3.0, target.classifierPrivacy().targetEpsilon());
        assertEquals(null, target.classifierPrivacy().noiseMultiplier());
        ExperimentRequest minimal = Messages.decode("{\"schema\": 1, \"experiment_id\": \"dp-2\", \"data\": \"x\","
                + " \"invert_probability\": 0, \"bug_seed\": 1, \"classifier_privacy\": {\"noise_multiplier\": 1}}",
                ExperimentRequest.class);
        assertEquals(ClassifierPrivacy.builder().noiseMultiplier(1.0).build(), minimal.classifierPrivacy(),
                "unset fields stay null: the filter applies its defaults");
        assertTrue(!Messages.encode(request()).contains("classifier_privacy"), "absent unless asked for");
    }

    @Test
    void absurdClassifierPrivacyIsRejectedNamingTheField() {
        String base = "{\"schema\": 1, \"experiment_id\": \"e1\", \"data\": \"x\", \"invert_probability\": 0,"
                + " \"bug_seed\": 1, \"classifier_privacy\": ";
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("{\"clip\": 1}", "classifier_privacy: give either noise_multiplier or target_epsilon, not neither");
        bad.put("{\"noise_multiplier\": 1, \"target_epsilon\": 2}",
                "classifier_privacy: give either noise_multiplier or target_epsilon, not both");
        bad.put("{\"noise_multiplier\": 1, \"clip\": 0}", "classifier_privacy.clip must be in (0.0, 1000000.0], got 0.0");
        bad.put("{\"noise_multiplier\": -1}", "classifier_privacy.noise_multiplier must be in (0.0, 1000.0], got -1.0");
        bad.put("{\"target_epsilon\": 0}", "classifier_privacy.target_epsilon must be in (0.0, 1000.0], got 0.0");
        bad.put("{\"noise_multiplier\": 1, \"delta\": 1}", "classifier_privacy.delta must be in (0.0, 1.0), got 1.0");
        bad.put("{\"noise_multiplier\": 1, \"batch\": 0}", "classifier_privacy.batch must be in [1.0, 1000000.0], got 0.0");
        bad.put("{\"noise_multiplier\": 1, \"epochs\": 0}", "classifier_privacy.epochs must be in (0.0, 1000.0], got 0.0");
        bad.put("{\"noise_multiplier\": 1, \"learning_rate\": 1000}",
                "classifier_privacy.learning_rate must be in (0.0, 100.0], got 1000.0");
        bad.put("{\"noise_multiplier\": 1, \"momentum\": 1}", "classifier_privacy.momentum must be in [0.0, 1.0), got 1.0");
        for (Map.Entry<String, String> b : bad.entrySet()) {
            assertEquals(b.getValue(), reason(base + b.getKey() + "}", ExperimentRequest.class), b.getKey());
        }
    }

    @Test
    void aRoundCompletedCarriesNothingAboutTheSampleAndReadsAnEarlierOneWithoutIt() {
        RoundCompleted m = new RoundCompleted(1, "e1", "low_accuracy", 4, 0.75, 2.5e4, 3.1e4, 1e-3, WEIGHTS, WEIGHTS,
                false, null, 523);
        String json = Messages.encode(m);
        for (String field : List.of("clients", "received", "late", "rejected", "seconds")) {
            assertTrue(!json.contains("\"" + field + "\""), field + " in " + json);
        }
        // written by an earlier version of the aggregator (schema 1 too): the sample's fields are ignored
        String earlier = json.replace("\"round\":4,", "\"round\":4,\"clients\":[\"w01\",\"w07\"],\"received\":2,"
                + "\"late\":0,\"rejected\":1,\"seconds\":1.5,");
        assertTrue(earlier.contains("\"clients\""), earlier);
        assertEquals(m, Messages.decode(earlier, RoundCompleted.class));
        assertEquals(json, Messages.encode(Messages.decode(earlier, RoundCompleted.class)), "encoded again without them");
        assertEquals(null, Messages.decode(json.replace("\"generator_loss\":0.75,", ""), RoundCompleted.class)
                .generatorLoss(), "an earlier announcement has no generator loss");
    }

    @Test
    void badMessagesFailWithTheReason() {
        assertTrue(reason("{\"schema\": 1, ", ExperimentRequest.class).startsWith("malformed JSON: Unexpected end-of-input"));
        assertEquals("unknown schema version 2 (this build reads 1)",
                reason("{\"schema\": 2, \"experiment_id\": \"e1\"}", ExperimentRequest.class));
        assertEquals("schema version is missing", reason("{\"experiment_id\": \"e1\"}", ExperimentRequest.class));
        assertEquals("data is missing", reason("{\"schema\": 1, \"experiment_id\": \"e1\", \"invert_probability\": 0.5,"
                + " \"bug_seed\": 1}", ExperimentRequest.class));
        assertEquals("invert_probability must be in [0.0, 1.0], got 1.5", reason("{\"schema\": 1, \"experiment_id\": \"e1\","
                + " \"data\": \"bundled:field\", \"invert_probability\": 1.5, \"bug_seed\": 1}", ExperimentRequest.class));
        assertEquals("experiment_id must be 1-128 letters, digits, '.', '_' or '-', got 'a b'", reason("{\"schema\": 1,"
                + " \"experiment_id\": \"a b\", \"data\": \"x\", \"invert_probability\": 0, \"bug_seed\": 1}", ExperimentRequest.class));
        assertTrue(reason("[1, 2]", RoundTask.class).startsWith("expected a JSON object"));
        assertEquals("selection_noise_multiplier must be in [0.5, 10000.0], got 0.1", reason("{\"schema\": 1,"
                + " \"experiment_id\": \"e1\", \"data\": \"x\", \"invert_probability\": 0, \"bug_seed\": 1,"
                + " \"selection_noise_multiplier\": 0.1}", ExperimentRequest.class));
        assertEquals("private_target_epsilon must be in [0.01, 1000000.0], got 0.0", reason("{\"schema\": 1,"
                + " \"experiment_id\": \"e1\", \"data\": \"x\", \"invert_probability\": 0, \"bug_seed\": 1,"
                + " \"private_target_epsilon\": 0}", ExperimentRequest.class));
        String population = Messages.encode(new PopulationReady(1, "e1", "low_accuracy", List.of(), 4, 1e-5, WEIGHTS,
                WEIGHTS, request()));
        assertTrue(population.contains("\"clients\":[],\"population_size\":4,\"delta\":1.0E-5"), population);
        assertEquals("population_size of low_accuracy of experiment e1 must be >= 1, got 0",
                reason(population.replace("\"population_size\":4", "\"population_size\":0"), PopulationReady.class));
        assertEquals("delta must be in (0, 1), got 1.5",
                reason(population.replace("\"delta\":1.0E-5", "\"delta\":1.5"), PopulationReady.class));
        assertEquals("population_size is missing",
                reason(population.replace("\"population_size\":4,", ""), PopulationReady.class));
        assertTrue(reason("{\"schema\": 1, \"experiment_id\": \"e1\", \"gan\": \"low\", \"round\": 1, \"client_id\": \"w1\","
                + " \"delta\": {\"bucket\": \"b\", \"key\": \"k\", \"size\": 1, \"sha256\": \"xyz\"}, \"real_examples\": 3,"
                + " \"steps\": 1, \"non_finite\": false, \"loss\": 0}", ClientUpdateReady.class).contains("sha256 must be 64"));
    }

    @Test
    void aDeadLetterKeepsTheExperimentAndACutPayload() {
        DeadLetter d = Messages.deadLetter("filter", "fedgan.experiments", 2, 40, null,
                "{\"experiment_id\":\"e9\",\"pad\":\"" + "x".repeat(10_000) + "\"}", "unknown schema version 2");
        assertEquals("e9", d.experimentId());
        assertEquals(DeadLetter.MAX_PAYLOAD, d.payload().length());
        assertEquals("unknown", Messages.deadLetter("filter", "t", 0, 0, null, "not json", "malformed").experimentId());
    }

    @Test
    void topicsShareAPrefix() {
        Topics t = Topics.withPrefix("prod.fedgan.");
        assertEquals("prod.fedgan.round-tasks", t.roundTasks());
        assertEquals("prod.fedgan.fairness-points", t.fairnessPoints());
        assertEquals("prod.fedgan.fairness-rounds", t.fairnessRounds());
        assertEquals("prod.fedgan.rgb-rounds", t.rgbRounds());
        assertEquals("prod.fedgan.round-shares", t.roundShares());
        assertEquals(18, t.all().size());
        assertEquals(18, new java.util.HashSet<>(t.all()).size(), "all distinct");
        assertThrows(IllegalArgumentException.class, () -> Topics.withPrefix("a b"));
    }

    /** The shards' messages read back, and name what is wrong with a bad one. */
    @Test
    void shardMessagesRoundTripAndNameWhatIsWrong() {
        RoundOpened opened = new RoundOpened(Messages.SCHEMA, "e1", "high", 3, "p7", List.of("u1", "u2"), 0.1, 9000);
        assertEquals(opened, Messages.decode(Messages.encode(opened), RoundOpened.class));
        RoundOpened weighted = new RoundOpened(Messages.SCHEMA, "e1", "high", 3, "p7", List.of(), null, 9000);
        assertEquals(weighted, Messages.decode(Messages.encode(weighted), RoundOpened.class));
        MessageException clip = assertThrows(MessageException.class,
                () -> new RoundOpened(Messages.SCHEMA, "e1", "high", 3, "p7", List.of("u1"), 0.0, 9000));
        assertTrue(clip.getMessage().startsWith("clip_norm must be in (0.0"), clip.getMessage());
        MessageException client = assertThrows(MessageException.class,
                () -> new RoundOpened(Messages.SCHEMA, "e1", "high", 3, "p7", List.of("a b"), 0.1, 9000));
        assertTrue(client.getMessage().startsWith("clients[] must be"), client.getMessage());
        RoundClosing closing = new RoundClosing(Messages.SCHEMA, "e1", "high", 3, "p7");
        assertEquals(closing, Messages.decode(Messages.encode(closing), RoundClosing.class));
        ShareReady ready = new ShareReady(Messages.SCHEMA, "e1", "high", 3, "p7", 2,
                new ObjectRef("fedgan", "experiments/e1/x.share", 10, "a".repeat(64)), 0, 1);
        assertEquals(ready, Messages.decode(Messages.encode(ready), ShareReady.class));
        ShareReady held = new ShareReady(Messages.SCHEMA, "e1", "high", 3, "p7", 2, null, 0, 1);
        assertEquals(held, Messages.decode(Messages.encode(held), ShareReady.class), "held by the owner itself");
        MessageException partition = assertThrows(MessageException.class,
                () -> new ShareReady(Messages.SCHEMA, "e1", "high", 3, "p7", -1, null, 0, 1));
        assertTrue(partition.getMessage().startsWith("partition must be in"), partition.getMessage());
    }

    /** The fairness messages read back, and name what is wrong with a bad one. */
    @Test
    void fairnessMessagesRoundTripAndNameWhatIsWrong() {
        ObjectRef sweep = new ObjectRef("fedgan", "experiments/s1/fairness/sweep.json", 10, "a".repeat(64));
        FairnessPointTask task = new FairnessPointTask(Messages.SCHEMA, "s1", 3, 4, sweep);
        assertEquals(task, Messages.decode(Messages.encode(task), FairnessPointTask.class));
        assertTrue(reason("{\"schema\":1,\"experiment_id\":\"s1\",\"point\":4,\"points\":4,\"sweep\":"
                + "{\"bucket\":\"b\",\"key\":\"k\",\"size\":1,\"sha256\":\"" + "a".repeat(64) + "\"}}",
                FairnessPointTask.class).contains("point must be in [0.0, 3.0], got 4.0"));
        FairnessSweepRequest request = Messages.decode("{\"schema\":1,\"experiment_id\":\"s1\",\"sweep\":{\"a\":1}}",
                FairnessSweepRequest.class);
        assertEquals(1, request.sweep().get("a").asInt());
        assertTrue(reason("{\"schema\":1,\"experiment_id\":\"s1\",\"sweep\":[1]}", FairnessSweepRequest.class)
                .contains("sweep must be a JSON object"));
        assertTrue(reason("{\"schema\":1,\"experiment_id\":\"s1\",\"point\":0,\"points\":1}",
                FairnessPointDone.class).contains("result is missing"));
        FairnessRoundTask round = new FairnessRoundTask(Messages.SCHEMA, "s1", 3, 4, sweep, "r-1", 2, 17, -5L, sweep);
        assertEquals(round, Messages.decode(Messages.encode(round), FairnessRoundTask.class));
        assertTrue(Messages.encode(round).contains("\"seed\":-5"), Messages.encode(round));
        assertTrue(reason(Messages.encode(round).replace("\"round\":2", "\"round\":0"), FairnessRoundTask.class)
                .contains("round must be in [1.0, 1000000.0], got 0.0"));
        FairnessUpdateReady update = new FairnessUpdateReady(Messages.SCHEMA, "s1", 3, "r-1", 2, 17, sweep);
        assertEquals(update, Messages.decode(Messages.encode(update), FairnessUpdateReady.class));
        assertTrue(reason(Messages.encode(update).replace("\"run\":\"r-1\"", "\"run\":\"a b\""),
                FairnessUpdateReady.class).contains("run must be 1-128 letters"));
    }

    /** The RGB run's messages read back, and name what is wrong with a bad one. */
    @Test
    void rgbMessagesRoundTripAndNameWhatIsWrong() {
        ObjectRef spec = new ObjectRef("fedgan", "experiments/g1/rgb/spec.json", 10, "a".repeat(64));
        RgbRequest request = Messages.decode("{\"schema\":1,\"experiment_id\":\"g1\",\"run\":{\"a\":1}}",
                RgbRequest.class);
        assertEquals(1, request.run().get("a").asInt());
        assertTrue(reason("{\"schema\":1,\"experiment_id\":\"g1\",\"run\":\"x\"}", RgbRequest.class)
                .contains("run must be a JSON object"));
        RgbRunTask run = new RgbRunTask(Messages.SCHEMA, "g1", spec, 3, 2);
        assertEquals(run, Messages.decode(Messages.encode(run), RgbRunTask.class));
        // a field of the wrong JSON type, named in the message's words, not the JSON library's
        assertEquals("clients must be an integer, got \"many\"", reason(Messages.encode(run).replace("\"clients\":3",
                "\"clients\":\"many\""), RgbRunTask.class));
        assertEquals("clients is missing", reason(Messages.encode(run).replace("\"clients\":3,", ""),
                RgbRunTask.class));
        assertEquals("round is missing", reason("{\"schema\":1,\"experiment_id\":\"x\",\"gan\":\"low\","
                + "\"round\":null}", RoundCompleted.class));
        assertEquals("spec must be an object", reason(Messages.encode(run).replaceFirst("\"spec\":\\{[^}]*}",
                "\"spec\":[1]"), RgbRunTask.class));
        RgbRoundTask task = new RgbRoundTask(Messages.SCHEMA, "g1", spec, "r-1", 2, 1, spec);
        assertEquals(task, Messages.decode(Messages.encode(task), RgbRoundTask.class));
        assertTrue(reason(Messages.encode(task).replace("\"client\":1", "\"client\":-1"), RgbRoundTask.class)
                .contains("client must be in [0.0, 100000.0], got -1.0"));
        RgbUpdateReady update = new RgbUpdateReady(Messages.SCHEMA, "g1", "r-1", 2, 1, spec, 1.5, 2, 2.5, 3.5, 2);
        assertEquals(update, Messages.decode(Messages.encode(update), RgbUpdateReady.class));
        assertTrue(reason(Messages.encode(update).replace("\"real_counted\":2", "\"real_counted\":3"),
                RgbUpdateReady.class).contains("real_counted must be in [0.0, 2.0], got 3.0"));
        assertTrue(reason(Messages.encode(update).replace("\"fake_loss_sum\":2.5", "\"fake_loss_sum\":\"NaN\""),
                RgbUpdateReady.class).contains("fake_loss_sum"));
        RgbRoundDone done = new RgbRoundDone(Messages.SCHEMA, "g1", spec, 2, 2, spec, 0.7, 0.8, 1.25, 1e-5, 3, 40);
        assertEquals(done, Messages.decode(Messages.encode(done), RgbRoundDone.class));
        assertTrue(reason(Messages.encode(done).replace("\"delta\":1.0E-5", "\"delta\":null"), RgbRoundDone.class)
                .contains("epsilon and delta come together"));
        assertTrue(reason(Messages.encode(done).replace("\"round\":2", "\"round\":3"), RgbRoundDone.class)
                .contains("round must be in [1.0, 2.0], got 3.0"));
    }

    private static String reason(String json, Class<? extends Message> type) {
        return assertThrows(MessageException.class, () -> Messages.decode(json, type)).getMessage();
    }
}

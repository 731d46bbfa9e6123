package dev.fedgan.modelstore;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every object key fedgan writes, in one place, so that the services, the command line and the tests cannot disagree
 * on where a thing lives. A <em>namespace</em> is one GAN of an experiment ({@code <experiment>.<gan>}); it is laid
 * out like an experiment of its own (weights, deltas, checkpoints), while the files a person reads stay under the
 * experiment itself:
 *
 * <pre>
 * classifiers/&lt;sha256[0:16]&gt;.zip                             stored primary classifiers (content-addressed)
 * aggregator/runs/&lt;namespace&gt;.json                             the aggregator's run records
 * experiments/&lt;experiment&gt;/files/&lt;relative path&gt;             what fedgan debug --out writes (report, grids, CSV): released
 * experiments/&lt;experiment&gt;/simulation/&lt;relative path&gt;        the simulation's ground truth (per-user values): NOT released
 * experiments/&lt;experiment&gt;/filter/populations.json           the filter's record of a finished experiment
 * experiments/&lt;experiment&gt;/render/&lt;gan&gt;/&lt;name&gt;                 image-render's state of one GAN
 * experiments/&lt;namespace&gt;/&lt;kind&gt;/round-NNNNN-&lt;sha[0:16]&gt;.zip   broadcast weights (generator, critic)
 * experiments/&lt;namespace&gt;/deltas/round-NNNNN/&lt;client&gt;-&lt;nonce&gt;.delta   client updates (deleted once used)
 * experiments/&lt;namespace&gt;/shares/round-NNNNN/&lt;plan&gt;-p&lt;partition&gt;.share  aggregator shards' un-noised sums (deleted once used)
 * experiments/&lt;namespace&gt;/checkpoints/round-NNNNN-&lt;sha[0:16]&gt;.json          server checkpoints
 * experiments/&lt;sweep&gt;/fairness/sweep.json                    a submitted fairness sweep (data and options)
 * experiments/&lt;sweep&gt;/fairness/points/point-NNNNN.json        a fairness sweep's point, as a worker measured it
 * experiments/&lt;run&gt;/rgb/spec.json                             a submitted RGB DCGAN run (data, clients, options)
 * experiments/&lt;run&gt;/rgb/clients/client-K.images                each client's images, stored apart by the filter
 * experiments/&lt;run&gt;/rgb/clients.json                          each client's number of images
 * experiments/&lt;run&gt;/rgb/generators/round-NNNNN.vec            the global generator after each round
 * experiments/&lt;run&gt;/rgb/checkpoint.json                       the latest finished round (where a restarted aggregator goes on)
 * experiments/&lt;run&gt;/rgb/runs/&lt;run id&gt;/                         one aggregator run's rounds and client states (deleted at its end)
 * </pre>
 * A fairness sweep's files (points.csv, fairness.png, report.html...) are its output files, under
 * {@code files/} like an experiment's.
 *
 * <p>A delta's {@code <nonce>} is {@value #DELTA_NONCE_BYTES} random bytes in hex, drawn afresh for every delta stored:
 * never a hash of the delta, which would confirm a guess about the client's data (training is deterministic given
 * the public seed and the broadcast weights; docs/privacy.md).
 *
 * <p>Every name that comes from a message is checked here ({@link #segment}, {@link #relativePath}): a key can never
 * climb out of its experiment or name another one.
 */
public final class ExperimentLayout {

    /** Prefix of the stored classifiers. */
    public static final String CLASSIFIERS = "classifiers/";
    /** Prefix of the aggregator's run records. */
    public static final String RUNS = "aggregator/runs/";
    /** An experiment's output files, relative to the experiment: everything {@code fedgan fetch} copies. */
    public static final String FILES = "files/";
    /**
     * An experiment's simulation ground truth, relative to the experiment: what {@code fedgan debug --out DIR} writes
     * under {@code DIR/simulation/} (per-user accuracies, member lists, purity). Not released: {@code fedgan fetch}
     * copies it only with {@code --simulation}.
     */
    public static final String SIMULATION = "simulation/";
    /** Client deltas, relative to a namespace. */
    public static final String DELTAS = "deltas/";
    /** Aggregator shards' shares of a round, relative to a namespace. */
    public static final String SHARES = "shares/";
    /** Bytes of a delta's random nonce; its key holds them as twice as many lowercase hex digits. */
    public static final int DELTA_NONCE_BYTES = 16;

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern NONCE = Pattern.compile("[0-9a-f]{" + 2 * DELTA_NONCE_BYTES + "}");
    /**
     * A delta's key relative to its namespace's {@link #DELTAS}: {@code round-NNNNN/<name>.delta}; group 1 is the
     * round. Any name matches, so that deltas an earlier version named otherwise are deleted too.
     */
    private static final Pattern DELTA_ROUND = Pattern.compile("round-([0-9]{5,})/[^/]+\\.delta");
    /** A share's key relative to its namespace's {@link #SHARES}: {@code round-NNNNN/<name>.share}; group 1 the round. */
    private static final Pattern SHARE_ROUND = Pattern.compile("round-([0-9]{5,})/[^/]+\\.share");
    /**
     * A round's weights or checkpoint, relative to its namespace: {@code generator/} or {@code critic/} and
     * {@code round-NNNNN-<sha[0:16]>.zip}, or {@code checkpoints/round-NNNNN-<sha[0:16]>.json}; group 1 or 2 is the
     * round. Deltas ({@code deltas/round-NNNNN/...}) and files never match.
     */
    private static final Pattern ROUND_STATE = Pattern.compile(
            "(?:generator|critic)/round-([0-9]{5,})-[0-9a-f]{16}\\.zip|checkpoints/round-([0-9]{5,})-[0-9a-f]{16}\\.json");

    private ExperimentLayout() {
    }

    /** The namespace of one GAN of an experiment: {@code <experiment>.<gan>}. */
    public static String namespace(String experimentId, String gan) {
        return segment("experiment id", experimentId) + "." + segment("GAN name", gan);
    }

    /** {@code experiments/<experimentId>/} (an experiment id or a {@link #namespace}). */
    public static String experiment(String experimentId) {
        return "experiments/" + segment("experiment id", experimentId) + "/";
    }

    /** An output file: {@code experiments/<experimentId>/files/<relativePath>}. */
    public static String file(String experimentId, String relativePath) {
        return experiment(experimentId) + FILES + relativePath(relativePath);
    }

    /** The prefix of every output file of an experiment. */
    public static String files(String experimentId) {
        return experiment(experimentId) + FILES;
    }

    /**
     * A file of the simulation's ground truth: {@code experiments/<experimentId>/simulation/<relativePath>}, the
     * path relative to {@code fedgan debug --out DIR}'s {@code DIR/simulation/}. Never under {@link #files}.
     */
    public static String simulation(String experimentId, String relativePath) {
        return experiment(experimentId) + SIMULATION + relativePath(relativePath);
    }

    /** The prefix of every simulation file of an experiment. */
    public static String simulations(String experimentId) {
        return experiment(experimentId) + SIMULATION;
    }

    /** The filter's record of a finished experiment. */
    public static String filterRecord(String experimentId) {
        return experiment(experimentId) + "filter/populations.json";
    }

    /** A submitted fairness sweep: {@code experiments/<sweepId>/fairness/sweep.json}. */
    public static String fairnessSweep(String sweepId) {
        return experiment(sweepId) + "fairness/sweep.json";
    }

    /** The prefix of a fairness sweep's stored points. */
    public static String fairnessPoints(String sweepId) {
        return experiment(sweepId) + "fairness/points/";
    }

    /** Point {@code index} of a fairness sweep: {@code experiments/<sweepId>/fairness/points/point-NNNNN.json}. */
    public static String fairnessPoint(String sweepId, int index) {
        if (index < 0) {
            throw new IllegalArgumentException("a point index must be >= 0, got " + index);
        }
        return fairnessPoints(sweepId) + String.format(Locale.ROOT, "point-%05d.json", index);
    }

    /**
     * What one run of a federated fairness point keeps while it trains (each round's server weights, its users'
     * unnoised updates), deleted once the point is stored:
     * {@code experiments/<sweepId>/fairness/runs/point-NNNNN-<run>/}.
     */
    public static String fairnessRun(String sweepId, int point, String run) {
        return fairnessRuns(sweepId, point) + segment("run", run) + "/";
    }

    /** The prefix of every run of a federated fairness point. */
    public static String fairnessRuns(String sweepId, int point) {
        return experiment(sweepId) + "fairness/runs/" + String.format(Locale.ROOT, "point-%05d-", point);
    }

    /** A round's objects in a run of a federated point: {@code <run>/round-RRRRR/}. */
    public static String fairnessRound(String sweepId, int point, String run, int round) {
        return fairnessRun(sweepId, point, run) + roundName(round) + "/";
    }

    /** A round's server weights in a run of a federated point: {@code <run>/round-RRRRR/weights.vec}. */
    public static String fairnessRoundWeights(String sweepId, int point, String run, int round) {
        return fairnessRound(sweepId, point, run, round) + "weights.vec";
    }

    /** A user's update of a round in a run of a federated point: {@code <run>/round-RRRRR/user-U-<nonce>.vec}. */
    public static String fairnessUpdate(String sweepId, int point, String run, int round, int user, String nonce) {
        if (nonce == null || !NONCE.matcher(nonce).matches()) {
            throw new IllegalArgumentException("invalid nonce '" + nonce + "'");
        }
        return fairnessRound(sweepId, point, run, round) + "user-" + user + "-" + nonce + ".vec";
    }

    /** A submitted RGB DCGAN run: {@code experiments/<id>/rgb/spec.json}. */
    public static String rgbSpec(String id) {
        return experiment(id) + "rgb/spec.json";
    }

    /**
     * The aggregator's record of an RGB run's latest finished round (its run, the round's announcement, the next
     * round's global networks): where a restarted aggregator takes up the run, and, after the last round, the mark
     * that the run is done: {@code experiments/<id>/rgb/checkpoint.json}.
     */
    public static String rgbCheckpoint(String id) {
        return experiment(id) + "rgb/checkpoint.json";
    }

    /**
     * Client {@code k}'s images in an RGB run, stored apart by the filter so that a replica reads only the client it
     * trains: {@code experiments/<id>/rgb/clients/client-K.images}. Inside the trusted boundary.
     */
    public static String rgbClientImages(String id, int k) {
        if (k < 0) {
            throw new IllegalArgumentException("a client index must be >= 0, got " + k);
        }
        return experiment(id) + "rgb/clients/client-" + k + ".images";
    }

    /** Each RGB client's number of images, in client order: {@code experiments/<id>/rgb/clients.json}. */
    public static String rgbClientSizes(String id) {
        return experiment(id) + "rgb/clients.json";
    }

    /** The global generator after round {@code round} of an RGB run: {@code rgb/generators/round-NNNNN.vec}. */
    public static String rgbGenerator(String id, int round) {
        return experiment(id) + "rgb/generators/" + roundName(round) + ".vec";
    }

    /** The prefix of every aggregator run of an RGB run. */
    public static String rgbRuns(String id) {
        return experiment(id) + "rgb/runs/";
    }

    /**
     * What one aggregator run of an RGB run keeps while it trains (each round's global networks, the clients'
     * networks, each client's optimiser state; a round's deleted once the next is done), deleted at its end: {@code rgb/runs/<run>/}.
     */
    public static String rgbRun(String id, String run) {
        return rgbRuns(id) + segment("run", run) + "/";
    }

    /** A round's objects in an RGB run: {@code <run>/round-RRRRR/}. */
    public static String rgbRound(String id, String run, int round) {
        return rgbRun(id, run) + roundName(round) + "/";
    }

    /** A round's global networks in an RGB run: {@code <run>/round-RRRRR/global.vec}. */
    public static String rgbGlobal(String id, String run, int round) {
        return rgbRound(id, run, round) + "global.vec";
    }

    /** A client's networks after a round of an RGB run: {@code <run>/round-RRRRR/client-K-<nonce>.vec}. */
    public static String rgbUpdate(String id, String run, int round, int client, String nonce) {
        if (nonce == null || !NONCE.matcher(nonce).matches()) {
            throw new IllegalArgumentException("invalid nonce '" + nonce + "'");
        }
        return rgbRound(id, run, round) + "client-" + client + "-" + nonce + ".vec";
    }

    /**
     * A client's state (optimiser moments, steps) after round {@code round}, which its next round starts from:
     * {@code <run>/round-RRRRR/client-K.state}. Kept per round, so that a round's task run again starts from the
     * same state.
     */
    public static String rgbClientState(String id, String run, int round, int client) {
        if (client < 0) {
            throw new IllegalArgumentException("a client index must be >= 0, got " + client);
        }
        return rgbRound(id, run, round) + "client-" + client + ".state";
    }

    /**
     * A user-level RGB run's server state (the generator's optimiser) after round {@code round}, which the next round
     * starts from when the aggregator is restarted: {@code <run>/round-RRRRR/server.state}.
     */
    public static String rgbServerState(String id, String run, int round) {
        return rgbRound(id, run, round) + "server.state";
    }

    /** One of image-render's objects for a GAN: {@code experiments/<experimentId>/render/<gan>/<relativePath>}. */
    public static String render(String experimentId, String gan, String relativePath) {
        return experiment(experimentId) + "render/" + segment("GAN name", gan) + "/" + relativePath(relativePath);
    }

    /** Where image-render keeps a round announced before its GAN's population was known. */
    public static String parkedRound(String experimentId, String gan, int round) {
        return parkedRounds(experimentId, gan) + roundName(round) + ".json";
    }

    /** The prefix of {@link #parkedRound}s; their names sort in round order. */
    public static String parkedRounds(String experimentId, String gan) {
        return experiment(experimentId) + "render/" + segment("GAN name", gan) + "/pending/";
    }

    /** The aggregator's record of one run: {@code aggregator/runs/<namespace>.json}. */
    public static String runRecord(String namespace) {
        return RUNS + segment("namespace", namespace) + ".json";
    }

    /** The prefix of weights of one kind and round; the key ends in the content's hash and {@code .zip}. */
    public static String weights(String namespace, String kind, int round) {
        return experiment(namespace) + segment("kind", kind) + "/" + roundName(round) + "-";
    }

    /**
     * A client's delta of a round: {@code experiments/<namespace>/deltas/round-NNNNN/<clientId>-<nonce>.delta}.
     *
     * @param nonce {@link #DELTA_NONCE_BYTES} random bytes as lowercase hex, fresh for every delta stored
     */
    public static String delta(String namespace, int round, String clientId, String nonce) {
        if (nonce == null || !NONCE.matcher(nonce).matches()) {
            throw new IllegalArgumentException("invalid delta nonce '" + nonce + "': " + 2 * DELTA_NONCE_BYTES
                    + " lowercase hex digits");
        }
        return deltas(namespace) + roundName(round) + "/" + segment("client id", clientId) + "-" + nonce + ".delta";
    }

    /** The round of {@code key} if it is a client delta of {@code namespace} ({@link #delta}), else -1. */
    public static int deltaRound(String namespace, String key) {
        return roundUnder(deltas(namespace), DELTA_ROUND, key);
    }

    /** The round (group 1 of {@code name}) of {@code key} if it is under {@code prefix} and matches, else -1. */
    private static int roundUnder(String prefix, Pattern name, String key) {
        if (key == null || !key.startsWith(prefix)) {
            return -1;
        }
        Matcher m = name.matcher(key.substring(prefix.length()));
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /**
     * An aggregator shard's share of a round: the sum of the updates partition {@code partition} of
     * {@code client-updates} carried for plan {@code plan}:
     * {@code experiments/<namespace>/shares/round-NNNNN/<plan>-p<partition>.share}.
     */
    public static String share(String namespace, int round, String plan, int partition) {
        if (partition < 0) {
            throw new IllegalArgumentException("partition must not be negative, got " + partition);
        }
        return shares(namespace) + roundName(round) + "/" + segment("plan", plan) + "-p" + partition + ".share";
    }

    /** The round of {@code key} if it is a share of {@code namespace} ({@link #share}), else -1. */
    public static int shareRound(String namespace, String key) {
        return roundUnder(shares(namespace), SHARE_ROUND, key);
    }

    /** The prefix of every share of a namespace. */
    public static String shares(String namespace) {
        return experiment(namespace) + SHARES;
    }

    /** The prefix of every client delta of a namespace. */
    public static String deltas(String namespace) {
        return experiment(namespace) + DELTAS;
    }

    /** The prefix of a checkpoint of a round; the key ends in the manifest's hash and {@code .json}. */
    public static String checkpoint(String namespace, int round) {
        return experiment(namespace) + "checkpoints/" + roundName(round) + "-";
    }

    /**
     * The round of {@code key} if it is the generator's or critic's weights or the checkpoint of a round of
     * {@code namespace} (what a round's completion stores before it is announced), else -1: -1 for deltas, files,
     * other kinds and other namespaces.
     */
    public static int roundStateRound(String namespace, String key) {
        String prefix = experiment(namespace);
        if (key == null || !key.startsWith(prefix)) {
            return -1;
        }
        Matcher m = ROUND_STATE.matcher(key.substring(prefix.length()));
        if (!m.matches()) {
            return -1;
        }
        return Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
    }

    /** {@code round-NNNNN}: rounds sort by name. */
    static String roundName(int round) {
        if (round < 0) {
            throw new IllegalArgumentException("round must not be negative, got " + round);
        }
        return String.format(Locale.ROOT, "round-%05d", round);
    }

    /** A single key segment taken from outside: 1-128 characters of A-Z a-z 0-9 . _ -, no leading . _ -. */
    static String segment(String what, String value) {
        if (value == null || !SEGMENT.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid " + what + " '" + value
                    + "': 1-128 characters of A-Z a-z 0-9 . _ -, not starting with . _ or -");
        }
        return value;
    }

    /** A '/'-separated relative path with no empty, '.' or '..' segment. */
    static String relativePath(String path) {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.endsWith("/") || path.contains("\\")) {
            throw new IllegalArgumentException("invalid relative path '" + path
                    + "': '/'-separated, not starting or ending with '/', no backslashes");
        }
        for (String s : path.split("/")) {
            if (s.isEmpty() || s.equals(".") || s.equals("..")) {
                throw new IllegalArgumentException("invalid relative path '" + path
                        + "': no empty, '.' or '..' segments");
            }
        }
        return path;
    }
}

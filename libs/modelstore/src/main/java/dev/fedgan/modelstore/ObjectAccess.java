package dev.fedgan.modelstore;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.objectstore.ObjectStore.Action;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What each service may do in the bucket, least privilege: the keys of {@link ExperimentLayout} it reads, writes,
 * deletes and lists, and none other. client-update reads weights, its clients' data and states and writes deltas and
 * updates, never reading one back; image-render reads what it draws (generators, released files, its own state) and
 * never a delta, a user's update or a client's networks (denied outright); only the aggregator deletes, but for
 * image-render's own queue of parked rounds. One table for every place that enforces it: the services restrict their
 * store to their row ({@code fedgan.s3.identity}), and the chart turns each row into a MinIO policy
 * ({@link #minioPolicy}).
 *
 * <p>Patterns are S3's: {@code *} is any run of characters, {@code /} included. A {@link Action#LIST} pattern is
 * matched against the listed prefix.
 *
 * @param identity the service's name
 * @param grants   what it is allowed
 * @param denials  what it is refused whatever the grants say (GetObject)
 */
public record ObjectAccess(String identity, List<Grant> grants, List<String> denials) implements ObjectStore.Policy {

    /** {@code actions} on the keys (or listed prefixes) that match any of {@code patterns}. */
    public record Grant(Set<Action> actions, List<String> patterns) {
        public Grant {
            actions = Set.copyOf(actions);
            patterns = List.copyOf(patterns);
        }
    }

    private static final Set<Action> READ = EnumSet.of(Action.READ);
    private static final Set<Action> READ_WRITE = EnumSet.of(Action.READ, Action.WRITE);
    private static final Set<Action> WRITE = EnumSet.of(Action.WRITE);
    private static final Set<Action> LIST = EnumSet.of(Action.LIST);
    /**
     * Unnoised per-client values and sums of them: deltas, aggregator shards' shares, users' updates, clients'
     * networks and optimiser states.
     */
    private static final List<String> CLIENT_VALUES = List.of("experiments/*/deltas/*", "experiments/*/shares/*",
            "experiments/*/fairness/runs/*", "experiments/*/rgb/runs/*");

    public ObjectAccess {
        grants = List.copyOf(grants);
        denials = List.copyOf(denials);
    }

    /** The four services' access. */
    public static List<ObjectAccess> all() {
        return List.of(
                new ObjectAccess("filter", List.of(
                        new Grant(READ_WRITE, List.of("classifiers/*", "experiments/*/files/*", "experiments/*/filter/*",
                                "experiments/*/simulation/*", "experiments/*/fairness/sweep.json",
                                "experiments/*/rgb/spec.json", "experiments/*/rgb/clients.json",
                                "experiments/*/rgb/clients/*")),
                        new Grant(LIST, List.of("experiments/*/fairness/points/*"))),
                        CLIENT_VALUES),
                new ObjectAccess("client-update", List.of(
                        new Grant(READ, List.of("experiments/*/generator/*", "experiments/*/critic/*",
                                "experiments/*/fairness/sweep.json", "experiments/*/fairness/runs/*/weights.vec",
                                "experiments/*/rgb/spec.json", "experiments/*/rgb/clients/*",
                                "experiments/*/rgb/runs/*/global.vec", "experiments/*/rgb/runs/*.state")),
                        new Grant(WRITE, List.of("experiments/*/deltas/*", "experiments/*/fairness/runs/*/user-*",
                                "experiments/*/rgb/runs/*/client-*")),
                        new Grant(READ_WRITE, List.of("experiments/*/fairness/points/*"))),
                        List.of("experiments/*/deltas/*", "experiments/*/shares/*",
                                "experiments/*/fairness/runs/*/user-*", "experiments/*/rgb/runs/*/client-*-*")),
                new ObjectAccess("aggregator", List.of(
                        new Grant(EnumSet.allOf(Action.class), List.of("experiments/*", "aggregator/*"))),
                        List.of()),
                new ObjectAccess("image-render", List.of(
                        new Grant(READ, List.of("classifiers/*", "experiments/*/generator/*",
                                "experiments/*/fairness/sweep.json", "experiments/*/fairness/points/*",
                                "experiments/*/rgb/spec.json", "experiments/*/rgb/generators/*")),
                        new Grant(READ_WRITE, List.of("experiments/*/files/*", "experiments/*/render/*")),
                        new Grant(EnumSet.of(Action.DELETE), List.of("experiments/*/render/*/pending/*")),
                        new Grant(LIST, List.of("experiments/*/fairness/points/*", "experiments/*/render/*"))),
                        CLIENT_VALUES));
    }

    /**
     * The access of service {@code identity}.
     *
     * @throws IllegalArgumentException naming the known ones if there is none
     */
    public static ObjectAccess of(String identity) {
        return all().stream().filter(a -> a.identity.equals(identity)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no object-store access for '" + identity + "'; known: "
                        + all().stream().map(ObjectAccess::identity).toList()));
    }

    @Override
    public boolean allows(Action action, String keyOrPrefix) {
        if (action == Action.READ && denials.stream().anyMatch(p -> matches(p, keyOrPrefix))) {
            return false;
        }
        return grants.stream().anyMatch(g -> g.actions.contains(action)
                && g.patterns.stream().anyMatch(p -> matches(p, keyOrPrefix)));
    }

    /** S3's wildcard match: {@code *} any run of characters ({@code /} too), {@code ?} one, the rest literal. */
    static boolean matches(String pattern, String s) {
        int p = 0;
        int i = 0;
        int star = -1;
        int mark = 0;
        while (i < s.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == s.charAt(i))) {
                p++;
                i++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = i;
            } else if (star >= 0) {
                p = star + 1;
                i = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    /**
     * This access as a MinIO (IAM) policy on {@code bucket}: GetObject, PutObject (with AbortMultipartUpload),
     * DeleteObject on the patterns' objects, ListBucket with the listed prefixes as {@code s3:prefix} conditions, and
     * an explicit Deny of GetObject on the denials. No bucket-wide action: the bucket is made by the chart's setup Job.
     */
    public ObjectNode minioPolicy(String bucket) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode policy = f.objectNode().put("Version", "2012-10-17");
        ArrayNode statements = policy.putArray("Statement");
        for (Action a : List.of(Action.READ, Action.WRITE, Action.DELETE)) {
            List<String> patterns = patterns(a);
            if (patterns.isEmpty()) {
                continue;
            }
            ObjectNode st = statements.addObject().put("Effect", "Allow");
            ArrayNode actions = st.putArray("Action");
            switch (a) {
                case READ -> actions.add("s3:GetObject");
                case WRITE -> actions.add("s3:PutObject").add("s3:AbortMultipartUpload");
                default -> actions.add("s3:DeleteObject");
            }
            ArrayNode resources = st.putArray("Resource");
            patterns.forEach(p -> resources.add("arn:aws:s3:::" + bucket + "/" + p));
        }
        List<String> listed = patterns(Action.LIST);
        if (!listed.isEmpty()) {
            ObjectNode st = statements.addObject().put("Effect", "Allow");
            st.putArray("Action").add("s3:ListBucket");
            st.putArray("Resource").add("arn:aws:s3:::" + bucket);
            ArrayNode prefixes = st.putObject("Condition").putObject("StringLike").putArray("s3:prefix");
            listed.forEach(prefixes::add);
        }
        if (!denials.isEmpty()) {
            ObjectNode st = statements.addObject().put("Effect", "Deny");
            st.putArray("Action").add("s3:GetObject");
            ArrayNode resources = st.putArray("Resource");
            denials.forEach(p -> resources.add("arn:aws:s3:::" + bucket + "/" + p));
        }
        return policy;
    }

    private List<String> patterns(Action a) {
        return grants.stream().filter(g -> g.actions.contains(a)).flatMap(g -> g.patterns.stream()).distinct().toList();
    }
}

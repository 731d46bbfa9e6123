package dev.fedgan.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fedgan.protocol.KafkaAccess;
import dev.fedgan.protocol.Topics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The chart grants Kafka access from one table, the services' own ({@link KafkaAccess}): its copy in
 * {@code files/kafka-access.json} equals it, the rendered KafkaUsers carry exactly its ACLs, and each pod talks to
 * Kafka as its own identity over TLS.
 */
class KafkaAccessInChartTest {

    @Test
    void theChartsTableIsTheServicesTable() throws IOException {
        JsonNode expected = RenderedChart.JSON.valueToTree(Map.of("users", KafkaAccess.of(Topics.withPrefix(""))));
        Path file = RenderedChart.CHART.resolve("files/kafka-access.json");
        assertEquals(expected, RenderedChart.JSON.readTree(file.toFile()), file + " differs from KafkaAccess (libs/protocol); it"
                + " should read:\n" + RenderedChart.JSON.writeValueAsString(expected));
    }

    @Test
    void eachKafkaUserHasExactlyItsAccess() throws IOException {
        Map<String, Set<String>> rendered = new TreeMap<>();
        for (JsonNode user : RenderedChart.manifests("chart-in-cluster.yaml", "KafkaUser")) {
            assertEquals("scram-sha-512", user.at("/spec/authentication/type").asText());
            Set<String> acls = new TreeSet<>();
            for (JsonNode acl : user.at("/spec/authorization/acls")) {
                JsonNode r = acl.get("resource");
                for (JsonNode op : acl.get("operations")) {
                    acls.add(r.get("type").asText() + " " + r.get("name").asText() + " " + r.get("patternType").asText()
                            + " " + op.asText());
                }
            }
            rendered.put(user.at("/metadata/name").asText(), acls);
        }
        Map<String, Set<String>> expected = new TreeMap<>();
        for (KafkaAccess a : KafkaAccess.of(Topics.withPrefix(Topics.DEFAULT_PREFIX))) {
            Set<String> acls = new TreeSet<>();
            a.reads().forEach(t -> acls.add("topic " + t + " literal Read"));
            a.writes().forEach(t -> acls.add("topic " + t + " literal Write"));
            a.groups().forEach(g -> acls.add(g.endsWith("*") ? "group " + g.substring(0, g.length() - 1) + " prefix Read"
                    : "group " + g + " literal Read"));
            expected.put("fedgan-" + a.user(), acls);
        }
        assertEquals(expected, rendered);
        JsonNode kafka = RenderedChart.manifests("chart-in-cluster.yaml", "Kafka").get(0);
        assertEquals("simple", kafka.at("/spec/kafka/authorization/type").asText());
        for (JsonNode listener : kafka.at("/spec/kafka/listeners")) {
            assertTrue(listener.get("tls").asBoolean(), "no plaintext listener: " + listener);
            assertEquals("scram-sha-512", listener.at("/authentication/type").asText(), listener.toString());
        }
    }

    /**
     * Each KEDA ScaledObject (client-update's and the aggregator's, both on in the in-cluster values) scales on the
     * lag of a group its service consumes with, on a topic it reads ({@link KafkaAccess}), and reads that lag as the
     * service's own user: a renamed group or topic would leave the autoscaler reading a lag that nothing makes.
     */
    @Test
    void kedaReadsTheLagOfWhatItsServiceConsumes() throws IOException {
        Map<String, KafkaAccess> access = new TreeMap<>();
        KafkaAccess.of(Topics.withPrefix(Topics.DEFAULT_PREFIX)).forEach(a -> access.put(a.user(), a));
        Map<String, String> lagUsers = new TreeMap<>();
        for (JsonNode secret : RenderedChart.manifests("chart-in-cluster.yaml", "Secret")) {
            if (secret.at("/metadata/name").asText().endsWith("-lag")) {
                lagUsers.put(secret.at("/metadata/name").asText(), secret.at("/stringData/username").asText());
            }
        }
        Set<String> scaled = new TreeSet<>();
        for (JsonNode so : RenderedChart.manifests("chart-in-cluster.yaml", "ScaledObject")) {
            String component = so.at("/metadata/labels/app.kubernetes.io~1component").asText();
            scaled.add(component);
            assertEquals("fedgan-" + component, so.at("/spec/scaleTargetRef/name").asText());
            JsonNode trigger = so.at("/spec/triggers/0");
            KafkaAccess a = access.get(component);
            String topic = trigger.at("/metadata/topic").asText();
            String group = trigger.at("/metadata/consumerGroup").asText();
            assertTrue(a.reads().contains(topic), component + " does not read " + topic + ": " + a);
            assertTrue(a.groups().contains(group), component + " does not consume in group " + group + ": " + a);
            assertEquals("fedgan-" + component, lagUsers.get(trigger.at("/authenticationRef/name").asText()),
                    component + "'s lag is read as its own user");
        }
        assertEquals(Set.of("aggregator", "client-update"), scaled);
    }

    @Test
    void everyPodTalksToKafkaAsItsOwnIdentityOverTls() throws IOException {
        for (String file : List.of("chart-default.yaml", "chart-in-cluster.yaml")) {
            List<String> seen = new ArrayList<>();
            for (JsonNode workload : RenderedChart.manifests(file, "Deployment", "Job")) {
                String component = workload.at("/metadata/labels/app.kubernetes.io~1component").asText();
                String expectedUser = switch (component) {
                    case "experiment" -> "fedgan-submitter";
                    case "topics" -> "fedgan-topics";
                    case "minio", "minio-setup" -> null;
                    default -> "fedgan-" + component;
                };
                if (expectedUser == null) {
                    continue;
                }
                JsonNode container = workload.at("/spec/template/spec/containers/0");
                Map<String, JsonNode> env = new TreeMap<>();
                container.get("env").forEach(e -> env.put(e.get("name").asText(), e));
                String what = file + ": " + component;
                assertEquals("SASL_SSL", env.get("KAFKA_SECURITY_PROTOCOL").get("value").asText(), what);
                assertEquals(expectedUser, env.get("KAFKA_SASL_JAAS_CONFIG").at("/valueFrom/secretKeyRef/name").asText(),
                        what);
                assertFalse(env.get("KAFKA_SASL_JAAS_CONFIG").has("value"), what + ": the password only from a Secret");
                assertTrue(container.toString().contains("/etc/fedgan/kafka-ca"), what + " mounts the CA");
                seen.add(component);
            }
            assertTrue(seen.containsAll(List.of("filter", "client-update", "aggregator", "image-render")), file + ": " + seen);
        }
    }
}

package dev.fedgan.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The second validator of the platform notes: every manifest that run-checks.sh rendered (the chart with each
 * values file, hooks and tests included, and deploy/k8s built by kustomize) read into the fabric8 model, which
 * fails on a wrong type, plus a walk over the model that fails on any field the model does not know (fabric8
 * keeps those in additionalProperties). Strimzi's resources go through Strimzi's own model (io.strimzi:api).
 * Kinds neither has (KEDA's) are only counted here; run-checks.sh validates them with the
 * kubernetes-models schemas.
 */
class DeploymentManifestsTest {

    private static final Path RENDERED = Path.of(System.getProperty("rendered.dir", "target/deploy-checks/rendered"));
    /** Kinds without a Java model here; the npm validator covers them. */
    private static final Set<String> NO_JAVA_MODEL = Set.of("keda.sh/v1alpha1/ScaledObject",
            "keda.sh/v1alpha1/TriggerAuthentication");

    private static KubernetesSerialization serialization() {
        KubernetesSerialization s = new KubernetesSerialization();
        s.registerKubernetesResource(io.strimzi.api.kafka.model.kafka.Kafka.class);
        s.registerKubernetesResource(io.strimzi.api.kafka.model.nodepool.KafkaNodePool.class);
        s.registerKubernetesResource(io.strimzi.api.kafka.model.topic.KafkaTopic.class);
        s.registerKubernetesResource(io.strimzi.api.kafka.model.user.KafkaUser.class);
        return s;
    }

    @TestFactory
    Stream<DynamicTest> everyRenderedManifestMatchesTheModel() throws IOException {
        assertTrue(Files.isDirectory(RENDERED), RENDERED + " missing: run-checks.sh renders it (mvn verify runs it first)");
        List<Path> files;
        try (Stream<Path> s = Files.list(RENDERED)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "nothing rendered in " + RENDERED);
        KubernetesSerialization serialization = serialization();
        return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
            List<String> problems = validateFile(serialization, file);
            if (!problems.isEmpty()) {
                fail(file + ":\n  " + String.join("\n  ", problems));
            }
        }));
    }

    /** The validator itself rejects what it should: an unknown field, a wrong type, an unknown nested field. */
    @Test
    void theValidatorRejectsUnknownFieldsAndWrongTypes() {
        KubernetesSerialization s = serialization();
        assertEquals(List.of(), validateDocument(s, """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},
             "spec":{"replicas":2,"selector":{"matchLabels":{"a":"b"}},"template":{"spec":{"containers":[{"name":"c","image":"i"}]}}}}"""));
        assertEquals(List.of("Deployment a: unknown field(s) [replica] at spec"), validateDocument(s, """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"replica":2}}"""));
        assertEquals(List.of("Deployment a: unknown field(s) [memroy] at spec.template.spec.containers[0].resources"),
            validateDocument(s, """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"template":{"spec":{"containers":[
             {"name":"c","resources":{"memroy":"1Gi"}}]}}}}"""));
        List<String> wrongType = validateDocument(s, """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"replicas":"two"}}""");
        assertEquals(1, wrongType.size(), wrongType.toString());
        assertTrue(wrongType.get(0).contains("does not match the model"), wrongType.toString());
        assertEquals(List.of("KafkaTopic t: unknown field(s) [partition] at spec"), validateDocument(s, """
            {"apiVersion":"kafka.strimzi.io/v1beta2","kind":"KafkaTopic","metadata":{"name":"t"},"spec":{"partition":3}}"""));
        assertEquals(List.of("ServiceMonitor m: unknown field(s) [endpoint] at spec"), validateDocument(s, """
            {"apiVersion":"monitoring.coreos.com/v1","kind":"ServiceMonitor","metadata":{"name":"m"},"spec":{"endpoint":[]}}"""));
        assertEquals(List.of("Foo x: no model for example.com/v1/Foo"), validateDocument(s, """
            {"apiVersion":"example.com/v1","kind":"Foo","metadata":{"name":"x"}}"""));
    }

    static List<String> validateFile(KubernetesSerialization serialization, Path file) throws IOException {
        List<String> problems = new ArrayList<>();
        int count = 0;
        try (MappingIterator<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class).readValues(file.toFile())) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isNull() || doc.isMissingNode() || doc.isEmpty()) {
                    continue;
                }
                count++;
                problems.addAll(validateDocument(serialization, doc.toString()));
            }
        }
        if (count == 0) {
            problems.add("no manifests");
        }
        return problems;
    }

    static List<String> validateDocument(KubernetesSerialization serialization, String json) {
        String what;
        String apiKind;
        try {
            JsonNode node = new YAMLMapper().readTree(json);
            apiKind = node.path("apiVersion").asText() + "/" + node.path("kind").asText();
            what = node.path("kind").asText() + " " + node.path("metadata").path("name").asText();
        } catch (IOException e) {
            return List.of("unreadable: " + e.getMessage());
        }
        KubernetesResource resource;
        try {
            resource = serialization.unmarshal(json, KubernetesResource.class);
        } catch (RuntimeException e) {
            String msg = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            return List.of(what + ": does not match the model: " + msg);
        }
        if (resource instanceof GenericKubernetesResource) {
            return NO_JAVA_MODEL.contains(apiKind) ? List.of() : List.of(what + ": no model for " + apiKind);
        }
        List<String> problems = new ArrayList<>();
        walk(resource, "", what, problems, new IdentityHashMap<>());
        return problems;
    }

    /** Fails on every non-empty additionalProperties of a model object (fabric8's and Strimzi's). */
    private static void walk(Object o, String path, String what, List<String> problems, Map<Object, Boolean> seen) {
        if (o == null || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                walk(e, path + "[" + i++ + "]", what, problems, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                walk(e.getValue(), path + "." + e.getKey(), what, problems, seen);
            }
            return;
        }
        String pkg = o.getClass().getPackageName();
        if (!(pkg.startsWith("io.fabric8") || pkg.startsWith("io.strimzi")) || o.getClass().isEnum()) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                || m.getName().equals("getClass") || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(o);
            } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(what + ": unknown field(s) " + new TreeSet<>(extra.keySet().stream().map(String::valueOf).toList())
                        + " at " + (path.isEmpty() ? "(top)" : path.substring(1)));
                }
                continue;
            }
            String name = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            walk(value, path + "." + name, what, problems, seen);
        }
    }

}

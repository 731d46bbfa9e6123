package dev.fedgan.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fedgan.modelstore.ObjectAccess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The chart's MinIO policies are the services' own table ({@link ObjectAccess}): {@code files/s3-policies.json}
 * equals it, the in-cluster render hands each policy to the setup Job, and each service uses its own credential and
 * trusts the chart's CA.
 */
class ObjectAccessInChartTest {

    @Test
    void theChartsPoliciesAreTheServicesTable() throws IOException {
        ObjectNode expected = RenderedChart.JSON.createObjectNode();
        ObjectAccess.all().forEach(a -> expected.set(a.identity(), a.minioPolicy("BUCKET")));
        Path file = RenderedChart.CHART.resolve("files/s3-policies.json");
        Path fresh = Path.of("target/s3-policies.json");
        Files.writeString(fresh, RenderedChart.JSON.writeValueAsString(expected) + "\n");
        assertEquals(expected, RenderedChart.JSON.readTree(file.toFile()), file + " differs from ObjectAccess (libs/modelstore): copy "
                + fresh.toAbsolutePath() + " over it");
    }

    @Test
    void eachServiceHasItsOwnPolicyAndCredentialOverTls() throws IOException {
        List<JsonNode> docs = RenderedChart.manifests("chart-in-cluster.yaml");
        JsonNode policies = docs.stream().filter(d -> d.path("kind").asText().equals("ConfigMap")
                && d.at("/metadata/name").asText().equals("fedgan-s3-policies")).findFirst().orElseThrow();
        for (ObjectAccess a : ObjectAccess.all()) {
            assertEquals(a.minioPolicy("fedgan"), RenderedChart.JSON.readTree(policies.at("/data/" + a.identity() + ".json").asText()),
                    a.identity());
        }
        Map<String, String> secrets = new TreeMap<>();
        for (JsonNode d : docs) {
            if (d.path("kind").asText().equals("Deployment")) {
                String component = d.at("/metadata/labels/app.kubernetes.io~1component").asText();
                if (component.equals("minio")) {
                    continue;
                }
                String env = d.at("/spec/template/spec/containers/0/env").toString();
                for (JsonNode e : d.at("/spec/template/spec/containers/0/env")) {
                    if (e.get("name").asText().equals("FEDGAN_S3_SECRET_KEY")) {
                        secrets.put(component, e.at("/valueFrom/secretKeyRef/name").asText());
                    }
                }
                assertTrue(env.contains("\"FEDGAN_S3_ENSURE_BUCKET\",\"value\":\"false\""), component + ": " + env);
                assertTrue(env.contains("\"FEDGAN_S3_TRUST_STORE\""), component + " trusts the chart's CA: " + env);
            }
        }
        assertEquals(Map.of("aggregator", "fedgan-s3-aggregator", "client-update", "fedgan-s3-client-update",
                "filter", "fedgan-s3-filter", "image-render", "fedgan-s3-image-render"), secrets);
        JsonNode minio = docs.stream().filter(d -> d.path("kind").asText().equals("StatefulSet")).findFirst().orElseThrow();
        assertTrue(minio.toString().contains("MINIO_KMS_SECRET_KEY"), "objects encrypted at rest");
        assertTrue(docs.stream().anyMatch(d -> d.at("/metadata/name").asText().equals("fedgan-minio-setup")));
    }
}

package dev.fedgan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The local Prometheus's rules and configuration (the running Prometheus is exercised by the end-to-end test). */
class LocalPrometheusTest {

    static final Path ROOT = Path.of("").toAbsolutePath().resolve("../..").normalize();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theRulesFileHoldsTheChartsAlertGroupsUnchanged() throws Exception {
        String manifest = Files.readString(ROOT.resolve(LocalPrometheus.CHART_RULES));
        JsonNode rules = YAML.readTree(LocalPrometheus.rulesFile(manifest, "chart"));
        assertEquals(List.of("groups"), fieldNames(rules));
        JsonNode stall = rules.get("groups").get(0).get("rules").get(0);
        assertEquals("FedganRoundStalled", stall.get("alert").asText());
        assertEquals("5m", stall.get("for").asText());
        assertEquals(YAML.readTree(manifest).get("spec").get("groups"), rules.get("groups"));
    }

    @Test
    void aManifestWithoutRulesIsRefusedNamingTheFile() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LocalPrometheus.rulesFile("kind: ConfigMap\nmetadata: {name: x}\n", "x.yaml"));
        assertEquals("x.yaml: no spec.groups (not a PrometheusRule with rules)", e.getMessage());
    }

    @Test
    void eachServiceIsScrapedWithTheLabelsTheDashboardFiltersOn() throws Exception {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("filter", 41001);
        ports.put("client-update-2", 41002);
        JsonNode config = YAML.readTree(LocalPrometheus.config(ports, Path.of("/tmp/r.yaml")));
        assertEquals("1s", config.get("global").get("scrape_interval").asText());
        assertEquals("/tmp/r.yaml", config.get("rule_files").get(0).asText());
        JsonNode jobs = config.get("scrape_configs");
        assertEquals(2, jobs.size());
        JsonNode second = jobs.get(1);
        assertEquals("client-update-2", second.get("job_name").asText());
        assertEquals("/q/metrics", second.get("metrics_path").asText());
        JsonNode target = second.get("static_configs").get(0);
        assertEquals("127.0.0.1:41002", target.get("targets").get(0).asText());
        assertEquals("local", target.get("labels").get("namespace").asText());
        assertEquals("fedgan-client-update-2", target.get("labels").get("pod").asText());
        assertTrue(target.get("labels").get("service") == null, "the services' own 'service' label stays theirs");
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

package dev.fedgan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fedgan.core.io.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Prometheus (Debian's {@code prometheus} binary) over the local services, as the chart's ServiceMonitor and
 * PrometheusRule set one up in a cluster: it scrapes each service's {@code /q/metrics} every second with the labels
 * the dashboard filters on ({@code namespace}, {@code pod}), evaluates the chart's alert rules, and answers the
 * dashboard's expressions, so that {@code fedgan demo --prometheus} shows which panels have data and which alerts
 * fired. The rules are the chart's own, as rendered into {@code deploy/k8s/base} (kept equal to the chart by the
 * deployment checks), not a copy.
 */
public final class LocalPrometheus {

    /** The namespace label the local targets carry; the dashboard's {@code $namespace}. */
    public static final String NAMESPACE = "local";
    /** The chart's alert rules as generated from it. */
    public static final String CHART_RULES = "deploy/k8s/base/prometheusrule-fedgan.yaml";
    /** The chart's dashboard. */
    public static final String DASHBOARD = "helm/fedgan/dashboards/fedgan-rounds.json";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final int port;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final long startedMillis = System.currentTimeMillis();

    private LocalPrometheus(int port) {
        this.port = port;
    }

    /**
     * Starts Prometheus on {@code 127.0.0.1:port} over the services of {@code local}, with the alert rules of
     * {@code ruleManifest} (a PrometheusRule manifest), its configuration and storage under {@code dir}; waits until
     * it is ready and has loaded the rules.
     */
    public static LocalPrometheus start(LocalServices local, int port, Path ruleManifest, Path dir)
            throws IOException, InterruptedException {
        String binary = binary();
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--prometheus port must be in [1, 65535], got " + port);
        }
        Files.createDirectories(dir);
        Path rules = dir.resolve("fedgan-rules.yaml");
        Files.writeString(rules, rulesFile(Files.readString(ruleManifest), ruleManifest.toString()));
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, config(local.httpPorts(), rules));
        local.startProgram("prometheus", List.of(binary, "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--storage.tsdb.retention.time=1d"));
        LocalPrometheus p = new LocalPrometheus(port);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!p.ready()) {
            local.checkAlive();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Prometheus did not become ready on port " + port + " within 60 s: see "
                        + local.log("prometheus"));
            }
            Thread.sleep(300);
        }
        return p;
    }

    /** Debian's {@code prometheus} on the PATH, or a message saying how to install it. */
    static String binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "prometheus");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new IllegalArgumentException("--prometheus needs the prometheus binary on the PATH: apt-get install "
                + "prometheus (bash deploy/checks/install-tools.sh installs it too)");
    }

    /** The rule groups of a PrometheusRule manifest, as a Prometheus rules file. */
    static String rulesFile(String manifest, String where) throws IOException {
        JsonNode groups = YAML.readTree(manifest).path("spec").path("groups");
        if (!groups.isArray() || groups.isEmpty()) {
            throw new IllegalArgumentException(where + ": no spec.groups (not a PrometheusRule with rules)");
        }
        return YAML.writeValueAsString(Map.of("groups", groups));
    }

    /** The configuration: every service's metrics every second, with the labels a cluster's ServiceMonitor adds. */
    static String config(Map<String, Integer> services, Path rules) {
        StringBuilder s = new StringBuilder("""
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                """.formatted(rules));
        for (var e : services.entrySet()) {
            s.append("""
                      - job_name: %1$s
                        metrics_path: /q/metrics
                        static_configs:
                          - targets: ["127.0.0.1:%2$d"]
                            labels: {namespace: "%3$s", pod: "fedgan-%1$s"}
                    """.formatted(e.getKey(), e.getValue(), NAMESPACE));
        }
        return s.toString();
    }

    private boolean ready() throws InterruptedException {
        try {
            HttpResponse<String> r = http.send(request("/-/ready"), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return false;
            }
            JsonNode groups = get("/api/v1/rules").path("groups");
            return groups.isArray() && !groups.isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .build();
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request(path), HttpResponse.BodyHandlers.ofString());
        JsonNode body = Json.MAPPER.readTree(r.body());
        if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new IOException("Prometheus " + path + ": HTTP " + r.statusCode() + ", " + body.path("error").asText(r.body()));
        }
        return body.path("data");
    }

    /** The series of an instant query now. */
    public JsonNode query(String promql) throws IOException, InterruptedException {
        return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("result");
    }

    /** The URL of Prometheus's own page. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** A dashboard panel's query and how many series it returned. */
    public record PanelResult(String panel, String expr, int series) {
    }

    /**
     * Every query of the dashboard's panels, evaluated now with its variables as a Grafana user over these services
     * would set them: this namespace, every experiment and GAN, rate windows of 30 s, the range since Prometheus
     * started.
     */
    public List<PanelResult> panels(Path dashboard) throws IOException, InterruptedException {
        long rangeSeconds = (System.currentTimeMillis() - startedMillis) / 1000 + 60;
        List<PanelResult> results = new ArrayList<>();
        for (JsonNode panel : Json.MAPPER.readTree(dashboard.toFile()).path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                if (expr.isEmpty()) {
                    continue;
                }
                String q = expr.replace("$__rate_interval", "30s").replace("$__interval", "15s")
                        .replace("$__range", rangeSeconds + "s").replace("$namespace", NAMESPACE)
                        .replace("$experiment", ".*").replace("$gan", ".*").replace("$release", "fedgan");
                results.add(new PanelResult(panel.path("title").asText(), q, query(q).size()));
            }
        }
        return results;
    }

    /** The alerts that fired since Prometheus started: each alert's name with its labels, once. */
    public List<Map<String, String>> alertsFired() throws IOException, InterruptedException {
        long rangeSeconds = (System.currentTimeMillis() - startedMillis) / 1000 + 60;
        List<Map<String, String>> fired = new ArrayList<>();
        for (JsonNode series : query("max_over_time(ALERTS{alertstate=\"firing\"}[" + rangeSeconds + "s])")) {
            Map<String, String> labels = new LinkedHashMap<>();
            series.path("metric").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
            labels.remove("alertstate");
            fired.add(labels);
        }
        return fired;
    }
}

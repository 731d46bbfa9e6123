package dev.fedgan.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The chart's files and its renders by run-checks.sh, for the tests that compare them with the services' tables. */
final class RenderedChart {

    static final Path CHART = Path.of(System.getProperty("chart.dir", "../../helm/fedgan"));
    static final Path RENDERED = Path.of(System.getProperty("rendered.dir", "target/deploy-checks/rendered"));
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RenderedChart() {
    }

    /** The manifests of {@code file} (e.g. {@code chart-in-cluster.yaml}) of the given kinds (all if none), some. */
    static List<JsonNode> manifests(String file, String... kinds) throws IOException {
        Path path = RENDERED.resolve(file);
        assertTrue(Files.isRegularFile(path), path + " missing: run-checks.sh renders it (mvn verify runs it first)");
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode doc : new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(path.toFile()).readAll()) {
            if (doc != null && !doc.isNull() && (kinds.length == 0 || Set.of(kinds).contains(doc.path("kind").asText()))) {
                out.add(doc);
            }
        }
        assertFalse(out.isEmpty(), "no " + (kinds.length == 0 ? "manifest" : String.join("/", kinds)) + " in " + path);
        return out;
    }
}

package dev.fedgan.service;

import static org.junit.jupiter.api.Assertions.fail;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** A service's HTTP endpoints in tests: health and Prometheus metrics. */
public final class Endpoints {

    private Endpoints() {
    }

    /**
     * GET {@code url} over HTTP/1.1; the response whatever its status. Not HTTP/2: the JDK client's default asks the
     * server to upgrade a plain-HTTP connection (h2c), and with Vert.x answering a large body (a service's metrics)
     * that upgrade can fail with a frame-size protocol error.
     */
    public static HttpResponse<String> get(URL url) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(HttpRequest.newBuilder(url.toURI()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of one Prometheus sample, given its name and labels exactly as exported; fails if there is none. */
    /** Waits up to a minute for {@code line} in the Prometheus text at {@code metrics}; fails showing what it got. */
    public static void awaitMetric(URL metrics, String line) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (!get(metrics).body().contains(line)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no metric line " + line + " in:\n" + get(metrics).body());
            }
            Thread.sleep(200);
        }
    }

    public static double sample(String prom, String series) {
        for (String line : prom.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return fail("no " + series + " in\n" + prom);
    }
}

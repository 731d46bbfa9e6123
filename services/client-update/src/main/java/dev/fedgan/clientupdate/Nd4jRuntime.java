package dev.fedgan.clientupdate;

import java.util.Map;
import java.util.TreeMap;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.bytedeco.javacpp.Loader;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Loads ND4J's natives at start-up (so that the first task does not pay for it and a broken native set-up fails
 * readiness, not a task) and reports what was loaded as a readiness check.
 *
 * <p>JavaCPP reads {@code org.bytedeco.javacpp.*} from JVM system properties, not from Quarkus config: pass them
 * with {@code -D} (surefire's argLine, {@code JAVA_OPTS}). They must be set before the first ND4J/JavaCPP class
 * loads; this bean starts before the messaging channels and does nothing else with them.
 */
@ApplicationScoped
@Readiness
public class Nd4jRuntime implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(Nd4jRuntime.class);

    private volatile String backend;
    private volatile String error;
    private volatile long loadMillis;

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent ev) {
        long t0 = System.nanoTime();
        try {
            backend = Nd4j.getBackend().getClass().getSimpleName();
            Nd4j.create(new float[] {1f, 2f}).norm2Number(); // a real native call
            loadMillis = (System.nanoTime() - t0) / 1_000_000;
            LOG.infof("ND4J %s loaded in %d ms (platform.extension=%s, natives %s)", backend, loadMillis,
                    System.getProperty("org.bytedeco.javacpp.platform.extension", "<none>"), nativeLibraries().keySet());
        } catch (Throwable t) {
            error = t.toString();
            LOG.error("ND4J failed to load", t);
        }
    }

    /** The native libraries JavaCPP has loaded: name → path. */
    static Map<String, String> nativeLibraries() {
        return new TreeMap<>(Loader.getLoadedLibraries());
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("nd4j");
        if (error != null) {
            return b.down().withData("error", error).build();
        }
        if (backend == null) {
            return b.down().withData("error", "not loaded yet").build();
        }
        String nd4jLib = nativeLibraries().entrySet().stream()
                .filter(e -> e.getKey().contains("nd4jcpu") || e.getKey().contains("nd4jcuda"))
                .map(Map.Entry::getValue).findFirst().orElse("?");
        return b.up().withData("backend", backend)
                .withData("platformExtension", System.getProperty("org.bytedeco.javacpp.platform.extension", ""))
                .withData("library", nd4jLib)
                .withData("loadMillis", loadMillis).build();
    }
}

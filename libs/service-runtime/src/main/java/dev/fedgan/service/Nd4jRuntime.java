package dev.fedgan.service;

import java.util.Map;
import java.util.Optional;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
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
 * <p>JavaCPP reads {@code org.bytedeco.javacpp.*} from JVM system properties, never from Quarkus config. The
 * reliable way is {@code -D} on the JVM (surefire's argLine, {@code JAVA_OPTS}). As a fallback for a plain
 * {@code java -jar quarkus-run.jar}, this bean copies {@code fedgan.javacpp.*} ({@link FedganConfig.Javacpp})
 * into the system properties before it touches ND4J, unless the system property is already set ({@code -D}
 * wins). That only works while no native library is loaded yet: it runs among the first start-up observers
 * (only {@link FedganConfigCheck} runs before it), before the messaging channels, and warns if it is too late.
 */
@ApplicationScoped
@Readiness
public class Nd4jRuntime implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(Nd4jRuntime.class);

    private volatile String backend;
    private volatile String error;
    private volatile long loadMillis;

    @Inject
    FedganConfig config;

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent ev) {
        long t0 = System.nanoTime();
        applyJavaCppDefaults(config.javacpp());
        try {
            backend = Nd4j.getBackend().getClass().getSimpleName();
            Nd4j.create(new float[] {1f, 2f}).norm2Number(); // a real native call
            loadMillis = (System.nanoTime() - t0) / 1_000_000;
            checkJavaCppLimits();
            LOG.infof("ND4J %s loaded in %d ms: %s (platform.extension=%s, off-heap max %s, physical max %s)", backend,
                    loadMillis, nd4jLibrary(), System.getProperty("org.bytedeco.javacpp.platform.extension", "<unset>"),
                    Pointer.formatBytes(Pointer.maxBytes()), Pointer.formatBytes(Pointer.maxPhysicalBytes()));
        } catch (Throwable t) {
            error = t.toString();
            LOG.error("ND4J failed to load", t);
        }
    }

    /**
     * Copies the {@code fedgan.javacpp.*} config values into unset JavaCPP system properties. Must not touch any
     * JavaCPP class: {@code Loader}'s static initialiser already loads {@code jnijavacpp} and initialises
     * {@code Pointer}, which reads {@code maxbytes} and {@code maxphysicalbytes} once. The typed mapping can be
     * read here: this runs in a start-up observer, after CDI and config are up and before any native is loaded.
     */
    static void applyJavaCppDefaults(FedganConfig.Javacpp javacpp) {
        setIfUnset("org.bytedeco.javacpp.platform.extension", "fedgan.javacpp.platform-extension",
                javacpp.platformExtension());
        setIfUnset("org.bytedeco.javacpp.maxbytes", "fedgan.javacpp.maxbytes", javacpp.maxbytes());
        setIfUnset("org.bytedeco.javacpp.maxphysicalbytes", "fedgan.javacpp.maxphysicalbytes",
                javacpp.maxphysicalbytes());
    }

    /** {@code -D} on the JVM wins over the config value. */
    private static void setIfUnset(String property, String key, Optional<String> value) {
        if (System.getProperty(property) == null && value.isPresent()) {
            System.setProperty(property, value.get());
            LOG.debugf("%s=%s (from %s)", property, value.get(), key);
        }
    }

    /** Warns when JavaCPP initialised before {@link #applyJavaCppDefaults} (its limits differ from the properties). */
    private static void checkJavaCppLimits() {
        check("org.bytedeco.javacpp.maxbytes", Pointer.maxBytes());
        check("org.bytedeco.javacpp.maxphysicalbytes", Pointer.maxPhysicalBytes());
    }

    private static void check(String property, long actual) {
        String wanted = System.getProperty(property);
        if (wanted == null) {
            return;
        }
        try {
            long expected = Pointer.parseBytes(wanted, Runtime.getRuntime().maxMemory());
            if (expected != actual) {
                LOG.warnf("JavaCPP initialised before %s=%s was set (it uses %s): pass -D%s=%s to the JVM",
                        property, wanted, Pointer.formatBytes(actual), property, wanted);
            }
        } catch (NumberFormatException e) {
            LOG.warnf("%s=%s is not a size JavaCPP understands", property, wanted);
        }
    }

    /** The path of the ND4J JNI library JavaCPP loaded (it tells which natives: plain, -avx2, -onednn-avx2). */
    static String nd4jLibrary() {
        return Loader.getLoadedLibraries().entrySet().stream()
                .filter(e -> e.getKey().startsWith("jnind4j"))
                .map(Map.Entry::getValue).findFirst().orElse("?");
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
        return b.up().withData("backend", backend)
                .withData("platformExtension", System.getProperty("org.bytedeco.javacpp.platform.extension", ""))
                .withData("library", nd4jLibrary())
                .withData("maxBytes", Pointer.maxBytes())
                .withData("maxPhysicalBytes", Pointer.maxPhysicalBytes())
                .withData("loadMillis", loadMillis).build();
    }
}

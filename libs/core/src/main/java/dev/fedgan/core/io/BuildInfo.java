package dev.fedgan.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.nd4j.linalg.factory.Nd4j;

/** Versions recorded in provenance files. */
public final class BuildInfo {

    private static final Properties PROPS = new Properties();

    static {
        try (InputStream in = BuildInfo.class.getResourceAsStream("/dev/fedgan/core/build.properties")) {
            if (in != null) {
                PROPS.load(in);
            }
        } catch (IOException ignored) {
            // versions then read "unknown"
        }
    }

    private BuildInfo() {
    }

    public static String fedganVersion() {
        return PROPS.getProperty("fedgan.version", "unknown");
    }

    public static String dl4jVersion() {
        return PROPS.getProperty("dl4j.version", "unknown");
    }

    /** The ND4J backend in use, e.g. "CpuBackend" or "JCublasBackend". */
    public static String backend() {
        return Nd4j.getBackend().getClass().getSimpleName();
    }

    public static String javaVersion() {
        return System.getProperty("java.vendor") + " " + System.getProperty("java.version");
    }
}

package dev.fedgan.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The {@code fedgan.*} mapping outside Quarkus (SmallRye Config with unknown keys rejected, as for a mapping in a
 * service): its defaults, the services' own properties, the chart's environment variables and the start-up checks.
 */
class FedganConfigTest {

    static final Map<String, String> S3 = Map.of("fedgan.s3.endpoint", "http://127.0.0.1:19000",
            "fedgan.s3.access-key", "fedgan", "fedgan.s3.secret-key", "fedgan-dev-secret");

    static SmallRyeConfig config(String profile, Map<String, String> env, Properties... properties) {
        SmallRyeConfigBuilder b = new SmallRyeConfigBuilder().addDefaultInterceptors().withMapping(FedganConfig.class)
                .withSources(new EnvConfigSource(env, 300));
        if (profile != null) {
            b.withProfile(profile);
        }
        for (int i = 0; i < properties.length; i++) {
            b.withSources(new PropertiesConfigSource(properties[i], "properties-" + i, 250 - i));
        }
        return b.build();
    }

    static FedganConfig mapping(Map<String, String> values) {
        Properties p = new Properties();
        p.putAll(values);
        return config(null, Map.of(), p).getConfigMapping(FedganConfig.class);
    }

    static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> m = new HashMap<>(base);
        m.put(key, value);
        return m;
    }

    @Test
    void theDefaults() {
        FedganConfig c = mapping(S3);
        assertEquals("fedgan", c.s3().bucket());
        assertEquals(java.time.Duration.ofMinutes(5), c.s3().outagePatience());
        assertEquals(0, c.warmUp().generatorSteps());
        assertEquals(0, c.warmUp().criticSteps());
        assertEquals(5, c.filter().minNumExamples());
        assertEquals(Optional.empty(), c.javacpp().platformExtension());
        assertEquals(Optional.empty(), c.javacpp().maxbytes());
        assertEquals(List.of(), FedganConfigCheck.problems(c));
    }

    /** Every fedgan.* key a service sets maps (in production and in tests) and passes the checks. */
    @Test
    void everyServicesPropertiesMap() throws IOException {
        for (String service : List.of("filter", "client-update", "aggregator", "image-render")) {
            Path file = Path.of("../../services", service, "src/main/resources/application.properties");
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
            for (String profile : new String[] {null, "test"}) {
                FedganConfig c = config(profile, Map.of(), p).getConfigMapping(FedganConfig.class);
                assertEquals(List.of(), FedganConfigCheck.problems(c), service + " " + profile);
                assertEquals(Optional.of("-onednn-avx2"), c.javacpp().platformExtension(), service);
            }
        }
    }

    @Test
    void theChartsEnvironmentVariablesMap() {
        Map<String, String> env = Map.of("FEDGAN_S3_ENDPOINT", "http://minio.minio.svc:9000", "FEDGAN_S3_BUCKET", "runs",
                "FEDGAN_S3_ACCESS_KEY", "key", "FEDGAN_S3_SECRET_KEY", "secret", "FEDGAN_JAVACPP_MAXBYTES", "4G",
                "FEDGAN_JAVACPP_MAXPHYSICALBYTES", "6G", "FEDGAN_JAVACPP_PLATFORM_EXTENSION", "-onednn-avx2",
                "FEDGAN_WARM_UP_CRITIC_STEPS", "60", "FEDGAN_DEBUG", "1");
        FedganConfig c = config(null, env).getConfigMapping(FedganConfig.class);
        assertEquals("http://minio.minio.svc:9000", c.s3().endpoint());
        assertEquals("runs", c.s3().bucket());
        assertEquals("secret", c.s3().secretKey());
        assertEquals(Optional.of("6G"), c.javacpp().maxphysicalbytes());
        assertEquals(60, c.warmUp().criticSteps());
    }

    @Test
    void absurdValuesAreRejectedNamingTheKey() {
        assertEquals(List.of("fedgan.warm-up.critic-steps must be in [0, 100000], got -1"),
                FedganConfigCheck.problems(mapping(with(S3, "fedgan.warm-up.critic-steps", "-1"))));
        assertEquals(List.of("fedgan.warm-up.generator-steps must be in [0, 100000], got 1000000"),
                FedganConfigCheck.problems(mapping(with(S3, "fedgan.warm-up.generator-steps", "1000000"))));
        assertEquals(List.of("fedgan.filter.min-num-examples must be in [1, 100000], got 0"),
                FedganConfigCheck.problems(mapping(with(S3, "fedgan.filter.min-num-examples", "0"))));
        assertEquals(List.of("fedgan.fairness.round-timeout must be between 1 s and 7 days, got PT0S"),
                FedganConfigCheck.problems(mapping(with(S3, "fedgan.fairness.round-timeout", "PT0S"))));
        assertEquals(List.of("fedgan.rgb.round-timeout must be between 1 s and 7 days, got PT192H"),
                FedganConfigCheck.problems(mapping(with(S3, "fedgan.rgb.round-timeout", "P8D"))));
        assertEquals(List.of("fedgan.s3.outage-patience must be between 0 s and 1 hour, got PT2H"),
                FedganConfigCheck.problems(mapping(with(S3, "fedgan.s3.outage-patience", "PT2H"))));
        assertEquals(List.of("fedgan.s3.trust-store must be a readable file, got '/nonexistent/ca.p12'"),
                FedganConfigCheck.problems(mapping(with(S3, "fedgan.s3.trust-store", "/nonexistent/ca.p12"))));
        List<String> bucket = FedganConfigCheck.problems(mapping(with(S3, "fedgan.s3.bucket", "My_Bucket")));
        assertEquals(1, bucket.size());
        assertTrue(bucket.get(0).startsWith("fedgan.s3.bucket must be 3-63 characters"), bucket.get(0));
        assertEquals(List.of("fedgan.s3.endpoint must be an http:// or https:// URL, got 'ftp://minio:9000'"),
                FedganConfigCheck.problems(mapping(with(S3, "fedgan.s3.endpoint", "ftp://minio:9000"))));
        assertEquals(List.of("fedgan.s3.secret-key must not be blank"),
                FedganConfigCheck.problems(mapping(with(S3, "fedgan.s3.secret-key", " "))));
        IllegalArgumentException all = assertThrows(IllegalArgumentException.class, () -> FedganConfigCheck.check(
                mapping(with(with(S3, "fedgan.warm-up.critic-steps", "-1"), "fedgan.filter.min-num-examples", "0"))));
        assertEquals("invalid configuration: fedgan.warm-up.critic-steps must be in [0, 100000], got -1; "
                + "fedgan.filter.min-num-examples must be in [1, 100000], got 0", all.getMessage());
    }

    @Test
    void aMissingRequiredKeyOrAnUnknownKeyFailsNamingIt() {
        Map<String, String> noSecret = new HashMap<>(S3);
        noSecret.remove("fedgan.s3.secret-key");
        RuntimeException missing = assertThrows(RuntimeException.class, () -> mapping(noSecret));
        assertTrue(missing.getMessage().contains("fedgan.s3.secret-key"), missing.getMessage());
        RuntimeException unknown = assertThrows(RuntimeException.class,
                () -> mapping(with(S3, "fedgan.warmup.critic-steps", "3")));
        assertTrue(unknown.getMessage().contains("fedgan.warmup.critic-steps"), unknown.getMessage());
        RuntimeException notANumber = assertThrows(RuntimeException.class,
                () -> mapping(with(S3, "fedgan.warm-up.critic-steps", "many")));
        assertTrue(notANumber.getMessage().contains("fedgan.warm-up.critic-steps"), notANumber.getMessage());
    }
}

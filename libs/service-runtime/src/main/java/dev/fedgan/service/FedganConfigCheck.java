package dev.fedgan.service;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.util.ArrayList;
import java.util.List;

/**
 * Rejects absurd {@link FedganConfig} values when a service starts, each problem naming its key, so that a bad
 * deployment fails its start-up at once instead of the first task failing (or a warm-up running for hours).
 * It observes the start-up before {@link Nd4jRuntime} loads the natives, so a bad value fails fast. The type
 * conversion (a number that is not one) and required keys are SmallRye Config's own checks, which also name the key.
 */
@ApplicationScoped
public class FedganConfigCheck {

    /** Most warm-up steps a service accepts: a warm-up occupies the compute thread that real work waits behind. */
    static final int MAX_WARM_UP_STEPS = 100_000;

    /** S3 bucket names (the rule ObjectStore.connect enforces too, checked here to name the key). */
    private static final String BUCKET = "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]";

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE - 1) StartupEvent event, FedganConfig config) {
        check(config);
    }

    /** @throws IllegalArgumentException listing every problem, each naming its key and value */
    public static void check(FedganConfig config) {
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration: " + String.join("; ", problems));
        }
    }

    /** The problems of {@code config}, each naming its key and value; empty when it is fine. */
    public static List<String> problems(FedganConfig config) {
        List<String> problems = new ArrayList<>();
        FedganConfig.S3 s3 = config.s3();
        String endpoint = s3.endpoint();
        if (endpoint.isBlank() || endpoint.chars().anyMatch(Character::isWhitespace)) {
            problems.add("fedgan.s3.endpoint must be a URL such as http://minio:9000, got '" + endpoint + "'");
        } else if (endpoint.contains("://") && !endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
            problems.add("fedgan.s3.endpoint must be an http:// or https:// URL, got '" + endpoint + "'");
        }
        if (s3.accessKey().isBlank()) {
            problems.add("fedgan.s3.access-key must not be blank");
        }
        if (s3.secretKey().isBlank()) {
            problems.add("fedgan.s3.secret-key must not be blank");
        }
        if (!s3.bucket().matches(BUCKET)) {
            problems.add("fedgan.s3.bucket must be 3-63 characters of a-z, 0-9, '.' and '-', starting and ending with"
                    + " a letter or digit, got '" + s3.bucket() + "'");
        }
        s3.trustStore().filter(f -> !java.nio.file.Files.isReadable(java.nio.file.Path.of(f))).ifPresent(f ->
                problems.add("fedgan.s3.trust-store must be a readable file, got '" + f + "'"));
        s3.identity().ifPresent(name -> {
            try {
                dev.fedgan.modelstore.ObjectAccess.of(name);
            } catch (IllegalArgumentException e) {
                problems.add("fedgan.s3.identity: " + e.getMessage());
            }
        });
        if (s3.outagePatience().isNegative() || s3.outagePatience().toHours() >= 1) {
            problems.add("fedgan.s3.outage-patience must be between 0 s and 1 hour, got " + s3.outagePatience());
        }
        range(problems, "fedgan.warm-up.generator-steps", config.warmUp().generatorSteps(), 0, MAX_WARM_UP_STEPS);
        range(problems, "fedgan.warm-up.critic-steps", config.warmUp().criticSteps(), 0, MAX_WARM_UP_STEPS);
        // PopulationFilters.checkMinNumExamples' range: rejected here at start-up rather than on the first request.
        range(problems, "fedgan.filter.min-num-examples", config.filter().minNumExamples(), 1, 100_000);
        timeout(problems, "fedgan.fairness.round-timeout", config.fairness().roundTimeout());
        timeout(problems, "fedgan.rgb.round-timeout", config.rgb().roundTimeout());
        return problems;
    }

    private static void timeout(List<String> problems, String key, java.time.Duration value) {
        if (value.toSeconds() < 1 || value.toDays() > 7) {
            problems.add(key + " must be between 1 s and 7 days, got " + value);
        }
    }

    private static void range(List<String> problems, String key, int value, int lo, int hi) {
        if (value < lo || value > hi) {
            problems.add(key + " must be in [" + lo + ", " + hi + "], got " + value);
        }
    }
}

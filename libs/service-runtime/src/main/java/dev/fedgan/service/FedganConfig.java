package dev.fedgan.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * Every {@code fedgan.*} key the four services read, as one typed mapping: each service starts with the same
 * mapping, so a key one service sets and another does not read is still a known key, and a typo under
 * {@code fedgan.} is not silently ignored. Environment variables map onto it as usual ({@code FEDGAN_S3_ENDPOINT}
 * → {@code fedgan.s3.endpoint}: the Helm chart and deploy/k8s set them). {@link FedganConfigCheck} rejects absurd
 * values at start-up, naming the key.
 *
 * <p>A key added here must get a default (or be optional) unless every service sets it; a key a service sets
 * must be added here.
 */
@ConfigMapping(prefix = "fedgan")
public interface FedganConfig {

    /** {@code fedgan.s3.*}: the object store. */
    S3 s3();

    /** {@code fedgan.javacpp.*}: defaults for JavaCPP's system properties ({@link Nd4jRuntime}). */
    Javacpp javacpp();

    /** {@code fedgan.warm-up.*}: steps run at start-up so that the step code is compiled before the first round. */
    WarmUp warmUp();

    /** {@code fedgan.fairness.*}: the aggregator's federated fairness points. */
    Fairness fairness();

    /** {@code fedgan.data.*}: where requests' data may come from. */
    Data data();

    /** {@code fedgan.rgb.*}: the aggregator's RGB DCGAN runs. */
    Rgb rgb();

    /** {@code fedgan.filter.*}: the filter service's population settings. */
    Filter filter();

    /** The object store the weights come from and the deltas go to (MinIO in production, S3Proxy locally). */
    interface S3 {

        /** {@code fedgan.s3.endpoint}, e.g. {@code http://minio:9000}; required. */
        String endpoint();

        /** {@code fedgan.s3.access-key}; required (a Secret in the chart: {@code FEDGAN_S3_ACCESS_KEY}). */
        String accessKey();

        /** {@code fedgan.s3.secret-key}; required (a Secret in the chart: {@code FEDGAN_S3_SECRET_KEY}). */
        String secretKey();

        /** {@code fedgan.s3.bucket}, created if missing; default {@code fedgan}. */
        @WithDefault("fedgan")
        String bucket();

        /**
         * {@code fedgan.s3.outage-patience}: how long a request to the store is retried (with backoff) while the store
         * cannot be reached or answers 5xx, before the work fails (a record to the dead-letter topic); default 5
         * minutes, so that a store restart delays the rounds instead of losing a client's task.
         */
        @WithDefault("PT5M")
        java.time.Duration outagePatience();

        /**
         * {@code fedgan.s3.trust-store}: a PEM file of CA certificates (no password), or a PKCS12 (or {@code .jks})
         * store, that an {@code https} endpoint is trusted by, e.g. the private CA of an in-cluster MinIO; unset: the
         * JVM's default trust.
         */
        Optional<String> trustStore();

        /** {@code fedgan.s3.trust-store-password}; a Secret in the chart. */
        Optional<String> trustStorePassword();

        /**
         * {@code fedgan.s3.identity}: the service whose {@code ObjectAccess} the store is restricted to (each service's
         * application.properties sets its own), so that a request outside it fails here as the server's policy would
         * fail it; unset: unrestricted.
         */
        Optional<String> identity();

        /**
         * {@code fedgan.s3.ensure-bucket}: check (and create) the bucket at start; default true. False where the
         * service's credentials allow objects under prefixes only (the chart's per-service MinIO users), which
         * cannot check a bucket: the chart's setup Job makes it.
         */
        @WithDefault("true")
        boolean ensureBucket();
    }

    /**
     * Values {@link Nd4jRuntime} copies into JavaCPP's system properties when no {@code -D} set them. Optional:
     * unset leaves JavaCPP's own default; an empty value counts as unset (Quarkus drops empty values, which is why
     * the chart passes an empty platform extension as {@code -D}).
     */
    interface Javacpp {

        /** {@code fedgan.javacpp.platform-extension} → {@code org.bytedeco.javacpp.platform.extension}. */
        Optional<String> platformExtension();

        /** {@code fedgan.javacpp.maxbytes} → {@code org.bytedeco.javacpp.maxbytes} (off-heap cap, e.g. 4G). */
        Optional<String> maxbytes();

        /** {@code fedgan.javacpp.maxphysicalbytes} → {@code org.bytedeco.javacpp.maxphysicalbytes}. */
        Optional<String> maxphysicalbytes();
    }

    /** The aggregator's federated fairness points (FederatedPointRunner). */
    interface Fairness {

        /**
         * {@code fedgan.fairness.round-timeout}: how long a round waits for its users' updates before the point fails
         * to the dead-letter topic (a lost user's task is redelivered to another replica well within it); default 30
         * minutes.
         */
        @WithDefault("PT30M")
        java.time.Duration roundTimeout();
    }

    /** Where the filter may read a request's data (experiments, fairness sweeps, RGB runs). */
    interface Data {

        /**
         * {@code fedgan.data.roots}: the directories a request's data path must lie in (after {@code ..} and links
         * are resolved); {@code bundled:*} and {@code shapes} are always allowed. Default: Debian's data sets and
         * {@code /data} (a volume the chart may mount).
         */
        @WithDefault("/usr/share/datasets,/data")
        java.util.List<String> roots();

        /** The roots as the data rule takes them. */
        default dev.fedgan.core.data.DataRoots dataRoots() {
            return dev.fedgan.core.data.DataRoots.of(roots());
        }
    }

    /** The aggregator's RGB DCGAN runs (RgbRunner). */
    interface Rgb {

        /**
         * {@code fedgan.rgb.round-timeout}: how long a round waits for its clients' networks before the run fails to
         * the dead-letter topic (a lost client's task is redelivered to another replica well within it); default 30
         * minutes.
         */
        @WithDefault("PT30M")
        java.time.Duration roundTimeout();
    }

    /** Steps of the tiny networks run on the compute thread at start-up (StepWarmUp); 0 runs none. */
    interface WarmUp {

        /** {@code fedgan.warm-up.generator-steps}: the aggregator's; default 0, in [0, 100000]. */
        @WithDefault("0")
        int generatorSteps();

        /** {@code fedgan.warm-up.critic-steps}: client-update's; default 0, in [0, 100000]. */
        @WithDefault("0")
        int criticSteps();
    }

    /** The filter's settings. */
    interface Filter {

        /**
         * {@code fedgan.filter.min-num-examples}: by_example, writers need at least this many correctly /
         * incorrectly classified examples; default 5 ({@code fedgan debug}'s), in [1, 100000].
         */
        @WithDefault("5")
        int minNumExamples();
    }
}

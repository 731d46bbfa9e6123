package dev.fedgan.service;

import dev.fedgan.devstack.EmbeddedS3;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A real S3 server (S3Proxy, fedgan-devstack) on a free port and nothing else: for a service's listener tests, whose
 * channels run on SmallRye's in-memory connector instead of a broker. Shared with the services as this module's
 * test jar.
 */
public class S3Resource implements QuarkusTestResourceLifecycleManager {

    private EmbeddedS3 s3;

    @Override
    public Map<String, String> start() {
        s3 = EmbeddedS3.builder().start();
        return Map.of("fedgan.s3.endpoint", s3.endpoint(), "fedgan.s3.access-key", s3.accessKey(),
                "fedgan.s3.secret-key", s3.secretKey());
    }

    @Override
    public void stop() {
        if (s3 != null) {
            s3.close();
        }
    }
}

package dev.fedgan.cli;

import dev.fedgan.objectstore.ObjectStore;
import picocli.CommandLine.Option;

/** Where the services' object store is: MinIO in production, the dev stack's S3Proxy by default. */
final class S3Options {

    @Option(names = "--s3-endpoint", defaultValue = "${env:FEDGAN_S3_ENDPOINT:-http://127.0.0.1:19000}",
            description = "S3/MinIO endpoint. Default: $FEDGAN_S3_ENDPOINT or the local dev stack, ${DEFAULT-VALUE}.")
    String endpoint;

    @Option(names = "--s3-access-key", defaultValue = "${env:FEDGAN_S3_ACCESS_KEY:-fedgan}",
            description = "S3 access key. Default: $FEDGAN_S3_ACCESS_KEY or the dev stack's.")
    String accessKey;

    @Option(names = "--s3-secret-key", defaultValue = "${env:FEDGAN_S3_SECRET_KEY:-fedgan-dev-secret}",
            description = "S3 secret key. Default: $FEDGAN_S3_SECRET_KEY or the dev stack's.")
    String secretKey;

    @Option(names = "--bucket", defaultValue = "${env:FEDGAN_S3_BUCKET:-fedgan}",
            description = "The services' bucket. Default: ${DEFAULT-VALUE}.")
    String bucket;

    ObjectStore connect() {
        return ObjectStore.connect(endpoint, accessKey, secretKey, bucket);
    }
}

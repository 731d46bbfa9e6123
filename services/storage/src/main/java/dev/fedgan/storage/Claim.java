package dev.fedgan.storage;

/**
 * A claim check: what a Kafka message carries instead of the bytes. The consumer fetches {@code key} from
 * {@code bucket} and accepts the bytes only if they are {@code size} long and hash to {@code sha256} (64 lowercase
 * hex digits). As JSON (Jackson serialises the record as is):
 *
 * <pre>{@code {"bucket":"fedgan","key":"experiments/e1/critic/round-00012-3f9a0c1d2e4b5a69.zip","size":52311,"sha256":"3f9a0c1d..."}}</pre>
 */
public record Claim(String bucket, String key, long size, String sha256) {

    public Claim {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("claim bucket must not be blank");
        }
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("claim key must not be empty");
        }
        if (size < 0) {
            throw new IllegalArgumentException("claim for " + key + ": negative size " + size);
        }
        Sha256.requireHex(sha256, "claim for " + key);
    }

    /** The claim for an object stored in {@code bucket}. */
    public static Claim of(String bucket, StoredObject object) {
        return new Claim(bucket, object.key(), object.size(), object.sha256());
    }

    /** {@code s3://bucket/key}, for messages and logs. */
    public String uri() {
        return "s3://" + bucket + "/" + key;
    }
}

package dev.fedgan.protocol;

/**
 * Where a tensor, picture or file lies in the object store: the claim check a message carries instead of the
 * bytes. The reader verifies size and SHA-256 before using the object.
 */
public record ObjectRef(String bucket, String key, long size, String sha256) {

    public ObjectRef {
        Check.text("bucket", bucket);
        Check.text("key", key);
        if (size < 0) {
            throw new MessageException("object " + key + ": size must be >= 0, got " + size);
        }
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new MessageException("object " + key + ": sha256 must be 64 lower-case hex digits, got " + sha256);
        }
    }

    /** {@code s3://bucket/key}, for messages and logs. */
    public String uri() {
        return "s3://" + bucket + "/" + key;
    }
}

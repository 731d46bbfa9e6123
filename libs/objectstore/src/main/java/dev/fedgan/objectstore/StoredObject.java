package dev.fedgan.objectstore;

/**
 * An object as {@link ObjectStore} wrote it: its key, its size in bytes and the SHA-256 of its bytes (64 lowercase
 * hex digits), which is also kept with the object as user metadata.
 */
public record StoredObject(String key, long size, String sha256) {

    public StoredObject {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("stored object key must not be empty");
        }
        if (size < 0) {
            throw new IllegalArgumentException("stored object " + key + ": negative size " + size);
        }
        Sha256.requireHex(sha256, "stored object " + key);
    }
}

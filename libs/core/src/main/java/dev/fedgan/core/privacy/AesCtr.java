package dev.fedgan.core.privacy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keystream behind fedgan's DP randomness: AES-256 in counter mode (the construction of NIST SP 800-90A
 * CTR_DRBG without its reseeding), run by the JDK's {@code AES/CTR/NoPadding}, which uses the AES-NI intrinsics
 * where the CPU has them. A stream is addressed by (key, nonce, block): the 128-bit counter block is the 64-bit
 * nonce (big-endian) followed by a 64-bit block counter, so streams with distinct nonces never overlap.
 *
 * <p>Keys come either from the JDK's DRBG seeded by the operating system ({@link #freshKey()}, the secure mode) or
 * from SHA-256 of a domain label and a {@code long} seed ({@link #seededKey(String, long)}, the reproducible mode;
 * anyone who knows the seed can replay the noise, so it offers no privacy).
 */
final class AesCtr {

    static final int BLOCK = 16;
    private static final int BUFFER = 1 << 15; // bytes of keystream per Cipher.update
    private static final byte[] ZEROS = new byte[BUFFER];
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final SecureRandom ENTROPY = entropy();

    private final Cipher cipher;
    private final byte[] buffer = new byte[BUFFER];
    private int at = BUFFER;
    private long blocksRead;
    private final long startBlock;

    /** A keystream positioned at {@code block} (in 16-byte blocks) of the stream {@code nonce}. */
    AesCtr(byte[] key, long nonce, long block) {
        if (block < 0) {
            throw new IllegalArgumentException("keystream block must be >= 0, got " + block);
        }
        byte[] iv = new byte[BLOCK];
        for (int i = 0; i < 8; i++) {
            iv[i] = (byte) (nonce >>> (56 - 8 * i));
            iv[8 + i] = (byte) (block >>> (56 - 8 * i));
        }
        try {
            cipher = Cipher.getInstance("AES/CTR/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CTR/NoPadding is not available in this JDK: " + e.getMessage(), e);
        }
        startBlock = block;
    }

    /** The next 64 keystream bits, little-endian. Consumes whole blocks: two longs per block. */
    long nextLong() {
        if (at == BUFFER) {
            refill();
        }
        long v = (long) LONGS.get(buffer, at);
        at += 8;
        return v;
    }

    /** Blocks of this stream consumed so far, counted from block 0 of its nonce (partly read blocks count). */
    long position() {
        long consumedInBuffer = at == BUFFER ? 0 : (BUFFER - at) / BLOCK;
        return startBlock + blocksRead - consumedInBuffer;
    }

    private void refill() {
        update(buffer, BUFFER);
        blocksRead += BUFFER / BLOCK;
        at = 0;
    }

    private void update(byte[] out, int len) {
        try {
            cipher.update(ZEROS, 0, len, out, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CTR keystream failed: " + e.getMessage(), e);
        }
    }

    /** A uniform double in [0, 1) with 53 random bits. */
    static double uniformClosedOpen(long bits) {
        return (bits >>> 11) * 0x1.0p-53;
    }

    /** A fresh 256-bit key from the JDK's DRBG (seeded by the operating system's entropy source). */
    static byte[] freshKey() {
        byte[] key = new byte[32];
        ENTROPY.nextBytes(key);
        return key;
    }

    /** The reproducible key of a seed: SHA-256(domain label, 0x00, seed big-endian). */
    static byte[] seededKey(String domain, long seed) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(domain.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            for (int i = 0; i < 8; i++) {
                sha.update((byte) (seed >>> (56 - 8 * i)));
            }
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JDK", e);
        }
    }

    /** The name of the entropy source for reports. */
    static String entropySource() {
        return ENTROPY.getAlgorithm();
    }

    private static SecureRandom entropy() {
        try {
            return SecureRandom.getInstance("DRBG"); // NIST SP 800-90A, seeded from the OS; never blocks on Linux
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }
}

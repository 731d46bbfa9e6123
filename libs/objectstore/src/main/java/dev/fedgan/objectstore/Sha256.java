package dev.fedgan.objectstore;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** SHA-256 as 64 lowercase hex digits. */
public final class Sha256 {

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    private Sha256() {
    }

    public static String hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    public static boolean isHex(String s) {
        return s != null && HEX.matcher(s).matches();
    }

    public static String requireHex(String s, String what) {
        if (!isHex(s)) {
            throw new IllegalArgumentException(what + ": sha256 must be 64 lowercase hex digits, got " + s);
        }
        return s;
    }
}

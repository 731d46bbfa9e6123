package dev.fedgan.protocol;

/** Field checks shared by the message records: each failure names the field and the value. */
final class Check {

    private Check() {
    }

    static void schema(int schema) {
        if (schema != Messages.SCHEMA) {
            throw new MessageException("unknown schema version " + schema + " (this build reads " + Messages.SCHEMA + ")");
        }
    }

    static void text(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new MessageException(field + " is missing");
        }
    }

    static void id(String field, String value) {
        text(field, value);
        if (!value.matches("[A-Za-z0-9._-]{1,128}")) {
            throw new MessageException(field + " must be 1-128 letters, digits, '.', '_' or '-', got '" + value + "'");
        }
    }

    static void range(String field, double value, double lo, double hi) {
        interval(field, value, lo, true, hi, true);
    }

    /** {@code value} within lo..hi, each end included or not ("must be in (0.0, 1.0], got 0.0"). */
    static void interval(String field, double value, double lo, boolean withLo, double hi, boolean withHi) {
        boolean above = withLo ? value >= lo : value > lo;
        boolean below = withHi ? value <= hi : value < hi;
        if (!(above && below)) {
            throw new MessageException(field + " must be in " + (withLo ? "[" : "(") + lo + ", " + hi
                    + (withHi ? "]" : ")") + ", got " + value);
        }
    }

    static void present(String field, Object value) {
        if (value == null) {
            throw new MessageException(field + " is missing");
        }
    }
}

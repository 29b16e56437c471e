package io.vrouter.plumbing.config;

/**
 * The one range check of a numeric setting for the builders and config records that validate
 * their values (the dataplane's, the metadata proxy's), and its one message: {@code rxBatch must
 * be in [1, 65536], got 0}, naming the setting so a bad {@code agent.conf} value is found at once.
 */
public final class SettingRange {
    private SettingRange() {
    }

    /**
     * {@code value}, when {@code min <= value <= max}.
     *
     * @throws IllegalArgumentException naming {@code setting}, the range and the value otherwise
     */
    public static long require(String setting, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(setting + " must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    /** {@link #require(String, long, long, long)} for an {@code int} setting. */
    public static int require(String setting, int value, int min, int max) {
        return (int) require(setting, (long) value, min, max);
    }
}

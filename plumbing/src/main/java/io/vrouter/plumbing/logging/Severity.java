package io.vrouter.plumbing.logging;

import ch.qos.logback.classic.Level;
import java.util.Locale;

/**
 * Contrail's log severities ({@code [DEFAULT] log_level}, syslog's names with {@code SYS_}) and
 * the logback level each maps to. logback has five levels for syslog's eight: the three above
 * {@code SYS_ERR} log errors only, and {@code SYS_NOTICE} (Contrail's default) and
 * {@code SYS_INFO} both log at INFO, the level of this project's operational messages.
 */
public enum Severity {
    SYS_EMERG(Level.ERROR),
    SYS_ALERT(Level.ERROR),
    SYS_CRIT(Level.ERROR),
    SYS_ERR(Level.ERROR),
    SYS_WARN(Level.WARN),
    SYS_NOTICE(Level.INFO),
    SYS_INFO(Level.INFO),
    SYS_DEBUG(Level.DEBUG);

    /** Contrail's default. */
    public static final Severity DEFAULT = SYS_NOTICE;
    /** For messages: the accepted names. */
    public static final String NAMES = "SYS_EMERG, SYS_ALERT, SYS_CRIT, SYS_ERR, SYS_WARN, SYS_NOTICE, SYS_INFO, SYS_DEBUG";

    private final Level level;

    Severity(Level level) {
        this.level = level;
    }

    /** The logback level messages must reach to be logged. */
    public Level level() {
        return level;
    }

    /** The severity named {@code text} (any case), or null when it names none. */
    public static Severity parse(String text) {
        String t = text.strip().toUpperCase(Locale.ROOT);
        for (Severity s : values()) {
            if (s.name().equals(t)) {
                return s;
            }
        }
        return null;
    }
}

package io.vrouter.plumbing.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.util.Duration;
import ch.qos.logback.core.util.FileSize;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up logback for a whole process from {@link LogSettings}, replacing whatever
 * {@code logback.xml} set: one appender (stderr, or logback's {@link RollingFileAppender} with a
 * fixed window of {@code filesCount} files rolled at {@code fileSizeBytes}), every line in
 * {@link #PATTERN} (a date, in UTC, on every line of every process), the root level from the
 * {@link Severity}, and the libraries' chatter ({@link #QUIET_LOGGERS}) kept at WARN.
 *
 * <p>An operator's own logback configuration ({@code -Dlogback.configurationFile}, e.g.
 * {@code LOGBACK_CONFIG} in the bin scripts) wins: then nothing is changed and {@link #reopen}
 * does nothing.
 *
 * <p>{@link #reopenOnSighup()} makes SIGHUP reopen the file at its configured path, for a
 * logrotate that renames the file ({@code create}, without {@code copytruncate}) and then sends
 * SIGHUP: the next line goes to a new file of that name. (It also keeps SIGHUP from stopping the
 * JVM, which is its default effect.)
 */
public final class LogSetup {
    /** The line format of every process: ISO-8601 date and time in UTC, level, thread, logger, message. */
    public static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX,UTC} %-5level [%thread] %logger{36} - %msg%n";
    /** Libraries whose INFO/DEBUG lines say nothing an operator needs. */
    public static final List<String> QUIET_LOGGERS = List.of("io.netty", "io.grpc", "io.etcd", "org.pcap4j");
    /** How often the file's size is compared with the limit: a file may outgrow it by one second's lines. */
    public static final long SIZE_CHECK_MS = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(LogSetup.class);

    private final LogSettings settings;
    private final RollingFileAppender<ILoggingEvent> file;

    private LogSetup(LogSettings settings, RollingFileAppender<ILoggingEvent> file) {
        this.settings = settings;
        this.file = file;
    }

    /** True when the operator gave logback a configuration file, which {@link #configure} then leaves alone. */
    public static boolean operatorConfigured() {
        return System.getProperty("logback.configurationFile") != null;
    }

    /**
     * Replaces the process's logging with {@code s} (see the class comment).
     *
     * @throws IOException when the log file cannot be opened; logging then goes to stderr
     */
    public static synchronized LogSetup configure(LogSettings s) throws IOException {
        if (operatorConfigured() || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return new LogSetup(s, null);
        }
        ctx.reset();
        ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(s.severity().level());
        for (String quiet : QUIET_LOGGERS) {
            ctx.getLogger(quiet).setLevel(s.severity().level().isGreaterOrEqual(Level.WARN) ? s.severity().level() : Level.WARN);
        }
        if (s.file() == null) {
            root.addAppender(stderr(ctx));
            return new LogSetup(s, null);
        }
        long since = System.currentTimeMillis();
        RollingFileAppender<ILoggingEvent> a = rollingFile(ctx, s);
        if (!a.isStarted()) {
            root.addAppender(stderr(ctx));
            throw new IOException("cannot write log file " + s.file() + ": " + errors(ctx, since));
        }
        root.addAppender(a);
        return new LogSetup(s, a);
    }

    private static ConsoleAppender<ILoggingEvent> stderr(LoggerContext ctx) {
        ConsoleAppender<ILoggingEvent> a = new ConsoleAppender<>();
        a.setContext(ctx);
        a.setName("stderr");
        a.setTarget("System.err");
        a.setEncoder(encoder(ctx));
        a.start();
        return a;
    }

    private static RollingFileAppender<ILoggingEvent> rollingFile(LoggerContext ctx, LogSettings s) {
        String path = s.file().toString();
        RollingFileAppender<ILoggingEvent> a = new RollingFileAppender<>();
        a.setContext(ctx);
        a.setName("file");
        a.setFile(path);
        a.setAppend(true);
        a.setEncoder(encoder(ctx));

        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(ctx);
        rolling.setParent(a);
        rolling.setFileNamePattern(path + ".%i");
        rolling.setMinIndex(1);
        rolling.setMaxIndex(s.filesCount());
        rolling.start();

        SizeBasedTriggeringPolicy<ILoggingEvent> size = new SizeBasedTriggeringPolicy<>();
        size.setContext(ctx);
        size.setMaxFileSize(new FileSize(s.fileSizeBytes()));
        size.setCheckIncrement(Duration.buildByMilliseconds(SIZE_CHECK_MS));
        size.start();

        a.setRollingPolicy(rolling);
        a.setTriggeringPolicy(size);
        a.start();
        return a;
    }

    private static PatternLayoutEncoder encoder(LoggerContext ctx) {
        PatternLayoutEncoder e = new PatternLayoutEncoder();
        e.setContext(ctx);
        e.setPattern(PATTERN);
        e.setCharset(StandardCharsets.UTF_8);
        e.start();
        return e;
    }

    private static String errors(LoggerContext ctx, long since) {
        StringBuilder b = new StringBuilder();
        for (Status st : ctx.getStatusManager().getCopyOfStatusList()) {
            if (st.getLevel() == Status.ERROR && st.getTimestamp() >= since) {
                b.append(b.length() == 0 ? "" : "; ").append(st.getMessage());
                if (st.getThrowable() != null) {
                    b.append(" (").append(st.getThrowable().getMessage()).append(')');
                }
            }
        }
        return b.length() == 0 ? "logback refused it" : b.toString();
    }

    /** Closes the log file and opens it again at its path (a new file when it was renamed); stderr: nothing. */
    public void reopen() throws IOException {
        if (file != null) {
            file.openFile(file.getFile()); // under the appender's lock: no line is split or lost
        }
    }

    /** Makes SIGHUP {@link #reopen()} the file (and no longer stop the JVM). */
    public void reopenOnSighup() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                try {
                    reopen();
                    LOG.info("SIGHUP: log file {} reopened", describe());
                } catch (IOException e) {
                    LOG.error("SIGHUP: cannot reopen log file {}: {}", describe(), e.getMessage());
                }
            });
        } catch (IllegalArgumentException e) {
            LOG.warn("SIGHUP cannot be handled in this JVM ({}); the log file is not reopened on it", e.getMessage());
        }
    }

    /** For start-up lines: {@code stderr} or the file with its rolling limits. */
    public String describe() {
        if (operatorConfigured()) {
            return "as " + System.getProperty("logback.configurationFile") + " says";
        }
        return settings.file() == null ? "stderr" : settings.file() + " (" + settings.filesCount() + " rolled files of "
                + settings.fileSizeBytes() + " bytes)";
    }

    public LogSettings settings() {
        return settings;
    }

    /** True while a log file is open (tests). */
    boolean writesToFile() {
        return file != null && file.isStarted();
    }
}

package io.vrouter.plumbing.logging;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a process logs and how much it keeps.
 *
 * <table>
 *   <caption>Limits (Contrail's {@code [DEFAULT]} keys)</caption>
 *   <tr><th>field</th><th>key</th><th>default</th><th>range</th></tr>
 *   <tr><td>file</td><td>log_file</td><td>null: stderr</td><td>an absolute path</td></tr>
 *   <tr><td>severity</td><td>log_level</td><td>{@code SYS_NOTICE}</td><td>{@link Severity}</td></tr>
 *   <tr><td>filesCount</td><td>log_files_count</td><td>{@value #DEFAULT_FILES_COUNT} rolled files</td>
 *       <td>1-{@value #MAX_FILES_COUNT} (logback's fixed-window limit)</td></tr>
 *   <tr><td>fileSizeBytes</td><td>log_file_size</td><td>{@value #DEFAULT_FILE_SIZE} bytes</td>
 *       <td>{@value #MIN_FILE_SIZE} bytes or more</td></tr>
 * </table>
 *
 * @param file          the log file, or null for stderr
 * @param filesCount    rolled files kept beside the live one ({@code file.1} newest … {@code file.N})
 * @param fileSizeBytes the live file is rolled once it is larger (checked at most once a second)
 */
public record LogSettings(Path file, Severity severity, int filesCount, long fileSizeBytes) {
    public static final int DEFAULT_FILES_COUNT = 10;
    public static final int MAX_FILES_COUNT = 20;
    public static final long DEFAULT_FILE_SIZE = 1024 * 1024;
    public static final long MIN_FILE_SIZE = 1024;

    public LogSettings {
        Objects.requireNonNull(severity, "severity");
        if (file != null && !file.isAbsolute()) {
            throw new IllegalArgumentException("log file must be an absolute path: " + file);
        }
        if (filesCount < 1 || filesCount > MAX_FILES_COUNT) {
            throw new IllegalArgumentException("files count must be 1-" + MAX_FILES_COUNT + ": " + filesCount);
        }
        if (fileSizeBytes < MIN_FILE_SIZE) {
            throw new IllegalArgumentException("file size must be at least " + MIN_FILE_SIZE + " bytes: " + fileSizeBytes);
        }
    }

    /** stderr at {@code severity}. */
    public static LogSettings stderr(Severity severity) {
        return new LogSettings(null, severity, DEFAULT_FILES_COUNT, DEFAULT_FILE_SIZE);
    }
}

package io.vrouter.agent.dataplane.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;

/**
 * One agent per vhost name on a node: a kernel lock ({@code fcntl}) on
 * {@code /run/vrouter-agent/<vhost name>.lock}, taken before the agent touches any host state
 * (its nft table, its veth pair). The kernel releases it however the holder dies, so a
 * SIGKILLed agent never blocks the next start, and whatever a new holder finds named like its
 * interfaces was left by an agent that is gone. The file holds the holder's pid, for messages.
 *
 * <p>{@code /run} is a tmpfs: the directory is made when missing (systemd's
 * {@code RuntimeDirectory=vrouter-agent} makes it for the unit).
 */
public final class NodeLock implements AutoCloseable {
    /** Where the locks live. */
    public static final Path DEFAULT_DIR = Path.of("/run/vrouter-agent");

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    private final Path file;
    private final FileChannel channel;

    private NodeLock(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** {@link #acquire(Path, String)} in {@link #DEFAULT_DIR}. */
    public static NodeLock acquire(String vhostName) {
        return acquire(DEFAULT_DIR, vhostName);
    }

    /**
     * Takes the lock for {@code vhostName}, or refuses.
     *
     * @throws IllegalStateException when another agent (another process, or another agent in this
     *                               JVM) holds it; the message names the vhost, the lock file and
     *                               the holder's pid
     * @throws UncheckedIOException  when the lock file cannot be created
     */
    public static NodeLock acquire(Path dir, String vhostName) {
        if (!NAME.matcher(vhostName).matches() || ".".equals(vhostName) || "..".equals(vhostName)) {
            throw new IllegalArgumentException("not an interface name: " + vhostName);
        }
        Path file = dir.resolve(vhostName + ".lock");
        FileChannel ch = null;
        try {
            Files.createDirectories(dir);
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException sameJvm) {
                lock = null;
            }
            if (lock == null) {
                String holder = holder(ch);
                ch.close();
                throw new IllegalStateException("another vrouter agent" + holder + " is running with vhost interface "
                        + vhostName + " on this node (it holds " + file + "); refusing to touch its interfaces and"
                        + " nft table: stop it first, or give this agent another [VIRTUAL-HOST-INTERFACE] name");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(false);
            return new NodeLock(file, ch);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new UncheckedIOException("cannot lock " + file + ": " + e.getMessage(), e);
        }
    }

    private static String holder(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(32);
        int n = ch.read(buf, 0);
        String pid = n <= 0 ? "" : new String(buf.array(), 0, n, StandardCharsets.US_ASCII).strip();
        return pid.matches("\\d{1,10}") ? " (pid " + pid + ")" : "";
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }

    /** The lock file. */
    public Path file() {
        return file;
    }

    /** Releases the lock; the file stays (deleting it would race with the next holder). */
    @Override
    public void close() {
        closeQuietly(channel);
    }
}

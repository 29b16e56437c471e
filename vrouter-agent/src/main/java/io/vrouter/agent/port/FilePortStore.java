package io.vrouter.agent.port;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import io.vrouter.plumbing.files.AtomicFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON file per port under a state directory (Contrail: {@code /var/lib/contrail/ports}),
 * named {@code <port-uuid>.json}.
 *
 * <p>Writes go through {@link AtomicFile} (temp file, fsync, rename, fsync of the directory),
 * so after a crash (even SIGKILL or power loss mid-write) the file is either the old or the new
 * port, never half of one. Left-over temp files are deleted at load. A file
 * that does not parse, or whose {@code id} differs from its name, is logged and renamed to
 * {@code <name>.corrupt-<UTC time>} so it is kept for inspection and never blocks a start.
 */
public final class FilePortStore implements PortStore {
    private static final Logger LOG = LoggerFactory.getLogger(FilePortStore.class);
    private static final String SUFFIX = ".json";
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final Path dir;

    /** Creates {@code dir} (and parents) when missing. */
    public FilePortStore(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        if (!Files.isWritable(dir)) {
            throw new IOException("port state directory is not writable: " + dir);
        }
    }

    public Path directory() {
        return dir;
    }

    @Override
    public List<VmPort> loadAll() {
        List<VmPort> ports = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                files.add(p);
            }
        } catch (IOException e) {
            LOG.error("cannot list port state directory {}: starting with no ports", dir, e);
            return ports;
        }
        files.sort(null); // deterministic replay order
        for (Path p : files) {
            String name = p.getFileName().toString();
            if (AtomicFile.isTemporary(p)) {
                deleteQuietly(p, "left-over temp file of an interrupted write");
            } else if (name.endsWith(SUFFIX) && Files.isRegularFile(p)) {
                VmPort port = read(p, name.substring(0, name.length() - SUFFIX.length()));
                if (port != null) {
                    ports.add(port);
                }
            } else if (PortJson.canonicalUuid(name) != null) {
                // Contrail's agent names its files <uuid> without an extension: say so rather
                // than leave a migrated node wondering where its ports went.
                LOG.warn("{} looks like a Contrail agent port file; not replayed (re-plug the port"
                        + " with vrouter-port-control, or rename it {}{} if it holds our format)", p, name, SUFFIX);
            }
        }
        return ports;
    }

    private VmPort read(Path p, String idFromName) {
        try {
            VmPort port = PortJson.parseStored(Files.readAllBytes(p));
            if (!port.id().equals(idFromName)) {
                moveAside(p, "its id " + port.id() + " does not match the file name");
                return null;
            }
            return port;
        } catch (PortException e) {
            moveAside(p, e.getMessage());
        } catch (IOException e) {
            moveAside(p, "unreadable: " + e);
        }
        return null;
    }

    private void moveAside(Path p, String why) {
        Path aside = p.resolveSibling(p.getFileName() + ".corrupt-" + STAMP.format(Instant.now()));
        try {
            Files.move(p, aside, StandardCopyOption.ATOMIC_MOVE);
            LOG.error("port state file {} is corrupt ({}); moved aside to {}", p, why, aside.getFileName());
        } catch (IOException e) {
            LOG.error("port state file {} is corrupt ({}) and could not be moved aside: {}", p, why, e.toString());
        }
    }

    private static void deleteQuietly(Path p, String why) {
        try {
            Files.deleteIfExists(p);
            LOG.info("deleted {} ({})", p, why);
        } catch (IOException e) {
            LOG.warn("cannot delete {} ({}): {}", p, why, e.toString());
        }
    }

    @Override
    public void save(VmPort port) throws IOException {
        AtomicFile.write(fileOf(port.id()), PortJson.toBytes(PortJson.toJson(port)));
    }

    @Override
    public void delete(String portId) throws IOException {
        AtomicFile.delete(fileOf(portId));
    }

    private Path fileOf(String portId) {
        // Ids are validated UUIDs before they get here; this guards the path all the same.
        if (PortJson.canonicalUuid(portId) == null) {
            throw new IllegalArgumentException("not a port UUID: " + portId);
        }
        return dir.resolve(portId + SUFFIX);
    }
}

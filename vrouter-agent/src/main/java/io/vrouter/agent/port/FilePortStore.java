package io.vrouter.agent.port;

import io.vrouter.plumbing.files.AtomicFile;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Contrail's port files: one file per port under {@code ports_dir} (Contrail:
 * {@code /var/lib/contrail/ports}), named {@code <port-uuid>} with no suffix.
 * {@code vrouter-port-control} writes the file itself ({@code json.dump} of its request) before
 * it calls port IPC, also while the agent is down, and deletes it on {@code --oper delete};
 * so the directory, not the agent's memory, says which ports exist. This agent writes the same
 * file in the form Contrail's agent writes ({@link PortJson#toJson}), so either agent replays
 * the other's files.
 *
 * <p>Writes go through {@link AtomicFile} (temp file, fsync, rename, fsync of the directory):
 * after a crash the file is the old or the new port, never half of one. Left-over temp files are
 * deleted by the first scan. Files named {@code <uuid>.json} (this agent's format before it
 * followed Contrail's) are converted on sight. A file that does not parse, or whose {@code id}
 * differs from its name, is reported by name and skipped, once per version of the file (size
 * and modification time): it is left in place, for the operator and for Contrail's agent.
 * Other names (the agent's lock, Contrail's {@code vm/} directory) are not ports.
 *
 * <p>{@link #scan} reads only files that are new or changed since the last scan.
 */
public final class FilePortStore implements PortStore {
    private static final Logger LOG = LoggerFactory.getLogger(FilePortStore.class);
    private static final String LEGACY_SUFFIX = ".json";

    /** A file as last read: its version and what it held (null: unreadable, reported). */
    private record Seen(FileTime modified, long size, StoredPort port) {
    }

    private final Path dir;
    private final Map<String, Seen> seen = new HashMap<>();
    private boolean firstScan = true;

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
    public Listing scan() {
        List<Path> files = list();
        if (firstScan && files != null) {
            firstScan = false;
            files.forEach(this::cleanUpOnce);
            files = list();
        }
        if (files == null) {
            return new Listing(List.of(), Set.copyOf(seen.keySet())); // nothing looks deleted
        }
        List<StoredPort> ports = new ArrayList<>();
        Set<String> present = new HashSet<>();
        for (Path p : files) {
            String name = p.getFileName().toString();
            String id = PortJson.canonicalUuid(name);
            if (id == null || !id.equals(name)) {
                continue; // not a port file
            }
            present.add(id);
            StoredPort port = read(p, id);
            if (port != null) {
                ports.add(port);
            }
        }
        seen.keySet().retainAll(present);
        return new Listing(ports, present);
    }

    /** The directory's entries in name order (a deterministic replay), or null when unreadable. */
    private List<Path> list() {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(files::add);
        } catch (IOException e) {
            LOG.error("cannot list the port directory {}: {}", dir, e.toString());
            return null;
        }
        files.sort(null);
        return files;
    }

    /** Deletes temp files of an interrupted write; renames files in this agent's old format. */
    private void cleanUpOnce(Path p) {
        String name = p.getFileName().toString();
        if (AtomicFile.isTemporary(p)) {
            try {
                Files.deleteIfExists(p);
                LOG.info("deleted {} (left-over temp file of an interrupted write)", p);
            } catch (IOException e) {
                LOG.warn("cannot delete left-over temp file {}: {}", p, e.toString());
            }
            return;
        }
        if (name.endsWith(LEGACY_SUFFIX)) {
            String id = PortJson.canonicalUuid(name.substring(0, name.length() - LEGACY_SUFFIX.length()));
            if (id != null && !Files.exists(dir.resolve(id))) {
                try {
                    AtomicFile.write(dir.resolve(id), Files.readAllBytes(p));
                    AtomicFile.delete(p);
                    LOG.info("port file {} renamed to {} (Contrail's name)", p, id);
                } catch (IOException e) {
                    LOG.warn("cannot rename port file {} to {}: {}", p, id, e.toString());
                }
            }
        }
    }

    private StoredPort read(Path p, String id) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(p, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null; // deleted since the listing
        } catch (IOException e) {
            LOG.warn("port file {} skipped: cannot read it: {}", p, e.toString());
            return null;
        }
        if (!attrs.isRegularFile()) {
            return null;
        }
        Seen last = seen.get(id);
        if (last != null && last.modified().equals(attrs.lastModifiedTime()) && last.size() == attrs.size()) {
            return last.port();
        }
        StoredPort port = null;
        try {
            port = PortJson.parseStored(Files.readAllBytes(p), p.toString());
            if (!port.id().equals(id)) {
                LOG.warn("port file {} skipped: its id {} differs from its name", p, port.id());
                port = null;
            }
        } catch (PortException e) {
            LOG.warn("port file {} skipped: {}", p, e.getMessage());
        } catch (IOException e) {
            LOG.warn("port file {} skipped: cannot read it: {}", p, e.toString());
        }
        seen.put(id, new Seen(attrs.lastModifiedTime(), attrs.size(), port));
        return port;
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
        if (PortJson.canonicalUuid(portId) == null || !portId.equals(PortJson.canonicalUuid(portId))) {
            throw new IllegalArgumentException("not a port UUID: " + portId);
        }
        return dir.resolve(portId);
    }
}

package io.vrouter.linklocal.registry;

import io.vrouter.linklocal.config.ConfigValidationException;
import io.vrouter.linklocal.config.LinkLocalJson;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An immutable view of every link-local service at one moment, indexed for the packet path.
 * Readers on any thread take the registry's current snapshot (one volatile read) and use it for
 * the whole decision; the registry never changes a snapshot, it publishes a new one.
 *
 * <table>
 *   <caption>Lookups</caption>
 *   <tr><th>method</th><th>cost</th></tr>
 *   <tr><td>{@link #lookup(int, int)} (IPv4)</td><td>O(1), allocation-free (primitive open addressing)</td></tr>
 *   <tr><td>{@link #lookup(InetAddress, int)}</td><td>IPv4: as above; IPv6: O(1) hash, allocation-free</td></tr>
 *   <tr><td>{@link #metadataService()}, {@link #metadata6Service()}</td><td>a field read</td></tr>
 *   <tr><td>{@link #byName(String)}</td><td>a hash map lookup</td></tr>
 * </table>
 *
 * <p>Misses return {@code null} (no {@code Optional} on the packet path).
 *
 * <p>The metadata service: among the IPv4 services whose name contains {@code metadata}, the one
 * named exactly {@code metadata} (ignoring case) if present, else the first in config order.
 * {@link #metadata6Service()} applies the same rule to IPv6 services and {@code metadata6}.
 */
public final class RegistrySnapshot {
    /** Version 0: no services, the state before any config is applied. */
    public static final RegistrySnapshot EMPTY = new RegistrySnapshot(0, "(none)", LinkLocalServices.EMPTY, List.of());

    private final long version;
    private final String source;
    private final LinkLocalServices config;
    private final List<LinkLocalService> services;
    private final Map<String, LinkLocalService> byName;
    private final LinkLocalService[] table;
    private final Ipv4PortIndex ipv4Index;
    private final Ipv6PortIndex ipv6Index;
    private final LinkLocalService metadata;
    private final LinkLocalService metadata6;

    /**
     * @param services one per entry of {@code config}, in config order, names and (address, port)
     *                 unique (guaranteed by the validator)
     */
    RegistrySnapshot(long version, String source, LinkLocalServices config, List<LinkLocalService> services) {
        this.version = version;
        this.source = source;
        this.config = config;
        this.services = List.copyOf(services);
        this.table = this.services.toArray(new LinkLocalService[0]);
        Map<String, LinkLocalService> names = new HashMap<>();
        int v4 = 0;
        for (LinkLocalService s : table) {
            if (names.put(s.name(), s) != null) {
                throw new IllegalArgumentException("duplicate service name '" + s.name() + "'");
            }
            v4 += s.isIpv4() ? 1 : 0;
        }
        this.byName = Collections.unmodifiableMap(names);
        this.ipv4Index = new Ipv4PortIndex(v4);
        this.ipv6Index = new Ipv6PortIndex(table.length - v4);
        for (int i = 0; i < table.length; i++) {
            LinkLocalService s = table[i];
            if (s.isIpv4()) {
                if (ipv4Index.get(s.serviceIpv4(), s.servicePort()) != Ipv4PortIndex.MISS) {
                    throw new IllegalArgumentException("duplicate service address " + s);
                }
                ipv4Index.put(s.serviceIpv4(), s.servicePort(), i);
            } else if (!ipv6Index.putIfAbsent(s.serviceAddress(), s.servicePort(), i)) {
                throw new IllegalArgumentException("duplicate service address " + s);
            }
        }
        this.metadata = pickMetadata(true, "metadata");
        this.metadata6 = pickMetadata(false, "metadata6");
    }

    /**
     * A stand-alone snapshot (version 1) of a config, e.g. for tests of the dataplane or the
     * proxy; DNS services in it are unresolved. The live registry builds its own.
     *
     * @throws ConfigValidationException when {@code services} is not valid
     */
    public static RegistrySnapshot of(LinkLocalServices services, String source) throws ConfigValidationException {
        LinkLocalJson.requireValid(services);
        List<LinkLocalService> list = new ArrayList<>(services.entries().size());
        for (LinkLocalServiceEntry e : services.entries()) {
            list.add(new LinkLocalService(e, null));
        }
        return new RegistrySnapshot(1, source, services, list);
    }

    /** Increases by one with every published snapshot; 0 is {@link #EMPTY}. */
    public long version() {
        return version;
    }

    /** Where the config of this snapshot came from, and for DNS updates which name changed. */
    public String source() {
        return source;
    }

    /** The validated config this snapshot was built from. */
    public LinkLocalServices config() {
        return config;
    }

    /** Every service, in config order. */
    public List<LinkLocalService> services() {
        return services;
    }

    public int size() {
        return table.length;
    }

    public boolean isEmpty() {
        return table.length == 0;
    }

    /**
     * The IPv4 service at ({@code ipv4}, {@code port}), or {@code null}. Constant time and
     * allocation-free: the dataplane calls it on every flow miss.
     *
     * @param ipv4 destination address, big-endian as read from the IP header
     * @param port destination port, 0-65535 (anything else misses)
     */
    public LinkLocalService lookup(int ipv4, int port) {
        int i = ipv4Index.get(ipv4, port);
        return i == Ipv4PortIndex.MISS ? null : table[i];
    }

    /** The service at ({@code address}, {@code port}), IPv4 or IPv6, or {@code null}. Allocation-free. */
    public LinkLocalService lookup(InetAddress address, int port) {
        if (address instanceof Inet4Address) {
            // Inet4Address.hashCode() is the address as an int (getAddress() would copy an array);
            // RegistrySnapshotTest pins this down.
            return lookup(address.hashCode(), port);
        }
        int i = ipv6Index.get(address, port);
        return i == Ipv6PortIndex.MISS ? null : table[i];
    }

    /** The IPv4 metadata service (see the class comment for the rule), or {@code null}. */
    public LinkLocalService metadataService() {
        return metadata;
    }

    /** The IPv6 metadata service ({@code metadata6}, fe80::a9fe:a9fe), or {@code null}. */
    public LinkLocalService metadata6Service() {
        return metadata6;
    }

    /** The service named {@code name} (exact, as configured), or {@code null}. */
    public LinkLocalService byName(String name) {
        return byName.get(name);
    }

    @Override
    public String toString() {
        return "RegistrySnapshot{version=" + version + ", source=" + source + ", services=" + services + "}";
    }

    private LinkLocalService pickMetadata(boolean ipv4, String preferredName) {
        List<LinkLocalService> candidates = new ArrayList<>();
        for (LinkLocalService s : table) {
            if (s.isIpv4() == ipv4 && s.isMetadata()) {
                if (s.name().toLowerCase(Locale.ROOT).equals(preferredName)) {
                    return s;
                }
                candidates.add(s);
            }
        }
        return candidates.isEmpty() ? null : candidates.get(0);
    }
}

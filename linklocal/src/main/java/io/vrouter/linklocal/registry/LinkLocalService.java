package io.vrouter.linklocal.registry;

import io.vrouter.linklocal.config.IpLiteral;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One link-local service as the dataplane and the metadata proxy use it: a validated
 * {@link LinkLocalServiceEntry} with its addresses parsed once, and its fabric addresses
 * resolved (for a DNS entry: the latest good answer, empty until the first one arrives).
 *
 * <p>Immutable. The {@linkplain #name() name} is the service's identity across snapshots
 * (names are unique in a valid config and are the key of {@code provision_linklocal add/del});
 * two services with the same name are {@linkplain #sameForwarding the same forwarding} when the
 * service address, service port, fabric port, DNS name and fabric address set are all equal.
 *
 * <p>Fabric addresses are held in a canonical order (IPv4 before IPv6, then by address bytes)
 * so that a DNS server rotating its records, or a config listing IPs in another order, is not a
 * change. The IPv4 ones are also available as ints without allocation, for NAT on the packet
 * path ({@link #fabricIpv4Count()}, {@link #fabricIpv4(int)}).
 */
public final class LinkLocalService {
    private final LinkLocalServiceEntry entry;
    private final InetAddress serviceAddress;
    private final int serviceIpv4;
    private final List<InetAddress> fabricAddresses;
    private final int[] fabricIpv4;
    private final List<InetSocketAddress> fabricSocketAddresses;

    LinkLocalService(LinkLocalServiceEntry entry, List<InetAddress> resolved) {
        this.entry = Objects.requireNonNull(entry, "entry");
        this.serviceAddress = Objects.requireNonNull(IpLiteral.parse(entry.serviceIp()),
                () -> "service IP of a validated entry: " + entry);
        this.serviceIpv4 = isIpv4() ? toInt(serviceAddress.getAddress()) : 0;
        List<InetAddress> fabric;
        if (entry.usesDns()) {
            fabric = resolved == null ? List.of() : resolved;
        } else {
            fabric = new ArrayList<>(entry.fabricIps().size());
            for (String ip : entry.fabricIps()) {
                fabric.add(Objects.requireNonNull(IpLiteral.parse(ip), () -> "fabric IP of a validated entry: " + entry));
            }
        }
        this.fabricAddresses = canonical(fabric);
        this.fabricIpv4 = fabricAddresses.stream()
                .filter(a -> a instanceof Inet4Address)
                .mapToInt(a -> toInt(a.getAddress()))
                .toArray();
        this.fabricSocketAddresses = fabricAddresses.stream()
                .map(a -> new InetSocketAddress(a, entry.fabricPort()))
                .toList();
    }

    /** The config entry this service was built from. */
    public LinkLocalServiceEntry entry() {
        return entry;
    }

    /** The identity of this service across snapshots ({@code linklocal_service_name}). */
    public String name() {
        return entry.name();
    }

    /** True for the services the agent's metadata proxy serves (name contains {@code metadata}). */
    public boolean isMetadata() {
        return entry.isMetadata();
    }

    /** The link-local address guests send to (169.254.169.254, fe80::a9fe:a9fe, ...). */
    public InetAddress serviceAddress() {
        return serviceAddress;
    }

    public boolean isIpv4() {
        return serviceAddress instanceof Inet4Address;
    }

    /** The IPv4 service address as an int (network order, big-endian); 0 for an IPv6 service. */
    public int serviceIpv4() {
        return serviceIpv4;
    }

    public int servicePort() {
        return entry.servicePort();
    }

    public int fabricPort() {
        return entry.fabricPort();
    }

    /**
     * The fabric addresses in canonical order: the configured IPs, or every address of the latest
     * good DNS answer. Empty only for a DNS service not resolved yet.
     */
    public List<InetAddress> fabricAddresses() {
        return fabricAddresses;
    }

    /**
     * Each fabric address with the fabric port, built once: what the metadata proxy connects to
     * ({@code MetadataUpstreams} can return this list as it is, on every request).
     */
    public List<InetSocketAddress> fabricSocketAddresses() {
        return fabricSocketAddresses;
    }

    /** False for a DNS service whose name has not been resolved yet: it cannot be forwarded. */
    public boolean isResolved() {
        return !fabricAddresses.isEmpty();
    }

    /**
     * How many of the fabric addresses are IPv4. May be 0 for a resolved DNS service whose name
     * has only AAAA records: an IPv4 dataplane must check this, not {@link #isResolved()}.
     */
    public int fabricIpv4Count() {
        return fabricIpv4.length;
    }

    /** The {@code i}-th IPv4 fabric address as an int, {@code 0 <= i < fabricIpv4Count()}. */
    public int fabricIpv4(int i) {
        return fabricIpv4[i];
    }

    /**
     * True when {@code other} forwards exactly like this one: same service address and port,
     * fabric port, DNS name and fabric address set. The name is not compared (it is the key).
     */
    public boolean sameForwarding(LinkLocalService other) {
        return serviceAddress.equals(other.serviceAddress)
                && servicePort() == other.servicePort()
                && fabricPort() == other.fabricPort()
                && Objects.equals(normalizedDns(), other.normalizedDns())
                && fabricAddresses.equals(other.fabricAddresses);
    }

    private String normalizedDns() {
        return entry.fabricDnsName() == null ? null : DnsNames.key(entry.fabricDnsName());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinkLocalService s && name().equals(s.name()) && sameForwarding(s)
                && entry.equals(s.entry);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name(), serviceAddress, servicePort(), fabricPort(), fabricAddresses);
    }

    /** {@code metadata 169.254.169.254:80 -> [10.0.0.5]:8775}, with the DNS name when there is one. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name()).append(' ')
                .append(isIpv4() ? serviceAddress.getHostAddress() : "[" + serviceAddress.getHostAddress() + "]")
                .append(':').append(servicePort()).append(" -> ");
        if (entry.usesDns()) {
            sb.append(entry.fabricDnsName()).append('=');
        }
        sb.append('[');
        for (int i = 0; i < fabricAddresses.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(fabricAddresses.get(i).getHostAddress());
        }
        return sb.append("]:").append(fabricPort()).toString();
    }

    static int toInt(byte[] b) {
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    /** Deduplicated, IPv4 before IPv6, then by unsigned address bytes; scope ids dropped. */
    static List<InetAddress> canonical(List<InetAddress> addresses) {
        List<byte[]> raw = new ArrayList<>(addresses.size());
        for (InetAddress a : addresses) {
            byte[] b = a.getAddress();
            if (raw.stream().noneMatch(r -> Arrays.equals(r, b))) {
                raw.add(b);
            }
        }
        raw.sort((x, y) -> x.length != y.length ? Integer.compare(x.length, y.length) : Arrays.compareUnsigned(x, y));
        List<InetAddress> out = new ArrayList<>(raw.size());
        for (byte[] b : raw) {
            try {
                out.add(InetAddress.getByAddress(b));
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e); // 4 or 16 bytes from getAddress()
            }
        }
        return List.copyOf(out);
    }

    /** DNS names compare case-insensitively and without a trailing dot. */
    static final class DnsNames {
        private DnsNames() {
        }

        static String key(String name) {
            String n = name.toLowerCase(Locale.ROOT);
            return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
        }
    }
}

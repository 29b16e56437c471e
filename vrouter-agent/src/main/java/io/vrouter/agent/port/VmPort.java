package io.vrouter.agent.port;

import java.net.Inet4Address;

/**
 * A VM port as the agent knows it: the fields of a {@code vrouter-port-control} request plus
 * what the agent assigns. Immutable.
 *
 * @param id           port UUID (JSON {@code id})
 * @param instanceId   VM UUID (JSON {@code instance-id}) → X-Instance-ID
 * @param vnId         virtual network UUID (JSON {@code vn-id})
 * @param projectId    project UUID (JSON {@code vm-project-id}) → X-Tenant-ID
 * @param displayName  JSON {@code display-name}
 * @param ipAddress    the VM's fixed IPv4 (JSON {@code ip-address}); overlapping between VNs;
 *                     null when the port has none (an IPv6-only port: nova sends "0.0.0.0")
 * @param ip6Address   JSON {@code ip6-address}, null when none (nova sends "None")
 * @param type         JSON {@code type}: {@link PortJson#TYPE_VM} or {@link PortJson#TYPE_NAMESPACE}
 * @param systemName   host-side interface name, e.g. tap/veth (JSON {@code system-name})
 * @param macAddress   the VM's MAC, lower-case colon form (JSON {@code mac-address})
 * @param rxVlanId     JSON {@code rx-vlan-id}, -1 when none
 * @param txVlanId     JSON {@code tx-vlan-id}, -1 when none
 * @param interfaceIndex agent-assigned, 1-65534, unique while the port exists; the flow key's
 *                     interface id
 * @param metadataIp   agent-assigned 169.254.X.Y = 169.254.0.0 + interfaceIndex, never
 *                     169.254.169.254
 */
public record VmPort(
        String id,
        String instanceId,
        String vnId,
        String projectId,
        String displayName,
        Inet4Address ipAddress,
        String ip6Address,
        int type,
        String systemName,
        String macAddress,
        int rxVlanId,
        int txVlanId,
        int interfaceIndex,
        Inet4Address metadataIp) {
    /** The address the proxy sends nova as X-Forwarded-For: IPv4, else IPv6, else null. */
    public String fixedIp() {
        return ipAddress != null ? ipAddress.getHostAddress() : ip6Address;
    }
}

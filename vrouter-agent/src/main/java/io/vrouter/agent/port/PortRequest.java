package io.vrouter.agent.port;

import java.net.Inet4Address;

/**
 * A validated {@code POST /port} body: the fields of {@link VmPort} that the sender chooses,
 * normalised (UUIDs and MAC lower-case, project id with dashes). Two requests are "the same
 * port" exactly when these records are equal; re-POSTing an equal request is idempotent.
 */
public record PortRequest(
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
        int txVlanId) {

    /** The sender-chosen part of an existing port. */
    public static PortRequest of(VmPort p) {
        return new PortRequest(p.id(), p.instanceId(), p.vnId(), p.projectId(), p.displayName(),
                p.ipAddress(), p.ip6Address(), p.type(), p.systemName(), p.macAddress(),
                p.rxVlanId(), p.txVlanId());
    }

    /** This request with the agent's assignments. */
    public VmPort toPort(int interfaceIndex) {
        return new VmPort(id, instanceId, vnId, projectId, displayName, ipAddress, ip6Address, type,
                systemName, macAddress, rxVlanId, txVlanId, interfaceIndex,
                InterfaceIndexAllocator.metadataIp(interfaceIndex));
    }
}

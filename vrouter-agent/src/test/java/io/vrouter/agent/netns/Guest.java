package io.vrouter.agent.netns;

import io.vrouter.agent.dataplane.host.HostCommand.Result;
import java.time.Duration;

/**
 * A simulated VM: a namespace whose {@code eth0} is one end of a veth pair; {@code hostIf} (the
 * port's {@code system-name}) is the other end, in the root namespace, without an address.
 *
 * @param namespace the guest's network namespace
 * @param hostIf    the host end of the veth pair
 * @param guestIf   the guest's interface ({@code eth0})
 * @param ip        the guest's fixed IPv4 address
 * @param mac       the guest's MAC, lower-case colon form
 * @param gateway   the guest's default gateway
 */
public record Guest(NetnsHarness harness, String namespace, String hostIf, String guestIf, String ip,
                    String mac, String gateway) {

    /** Runs a command in the guest with a timeout. */
    public Result exec(Duration timeout, String... command) {
        return harness.exec(namespace, timeout, command);
    }
}

package io.vrouter.linklocal.proxy;

import io.vrouter.linklocal.novastandin.StandInInstance;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/** VMs shared by the proxy tests: two VMs with the same fixed IP in different projects. */
final class ProxyFixtures {
    static final String SECRET = "s3cr3t-shared-with-nova";

    static final String SRC_A = "127.0.0.2";
    static final String SRC_B = "127.0.0.3";
    /** A source whose directory entry names VM A's instance but VM B's project. */
    static final String SRC_MISMATCH = "127.0.0.4";
    static final String SRC_UNKNOWN = "127.0.0.9";

    static final VmIdentity VM_A = new VmIdentity("11111111-1111-4111-8111-111111111111",
            "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "10.0.0.3");
    static final VmIdentity VM_B = new VmIdentity("22222222-2222-4222-8222-222222222222",
            "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", "10.0.0.3");

    static final StandInInstance NOVA_A = StandInInstance.of(VM_A.instanceId(), nodash(VM_A.projectId()), "vm-a");
    static final StandInInstance NOVA_B = StandInInstance.of(VM_B.instanceId(), nodash(VM_B.projectId()), "vm-b");

    static final InstanceDirectory DIRECTORY = directory();

    private ProxyFixtures() {
    }

    static String nodash(String s) {
        return s.replace("-", "");
    }

    private static InstanceDirectory directory() {
        try {
            Map<InetAddress, VmIdentity> m = Map.of(
                    InetAddress.getByName(SRC_A), VM_A,
                    InetAddress.getByName(SRC_B), VM_B,
                    InetAddress.getByName(SRC_MISMATCH),
                    new VmIdentity(VM_A.instanceId(), VM_B.projectId(), "10.0.0.4"));
            return m::get;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}

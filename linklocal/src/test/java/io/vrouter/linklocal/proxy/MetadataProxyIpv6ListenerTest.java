package io.vrouter.linklocal.proxy;

import static io.vrouter.linklocal.proxy.ProxyFixtures.NOVA_A;
import static io.vrouter.linklocal.proxy.ProxyFixtures.SECRET;
import static io.vrouter.linklocal.proxy.ProxyFixtures.VM_A;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vrouter.linklocal.novastandin.NovaMetadataStandIn;
import io.vrouter.linklocal.novastandin.RecordedRequest;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The proxy's second listener ({@link MetadataProxy#listenAlso}), as the agent opens it for
 * metadata6: a guest arriving over IPv6 is identified by its source address through the same
 * directory and signed exactly as over IPv4 (X-Forwarded-For whatever the directory gives: the
 * agent gives the port's IPv6 address).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MetadataProxyIpv6ListenerTest {
    private static final InetAddress V6_LOOPBACK = loopback6();
    private static final VmIdentity VM_A6 = new VmIdentity(VM_A.instanceId(), VM_A.projectId(), "fd00::3");

    private NovaMetadataStandIn nova;
    private MetadataProxy proxy;

    private static InetAddress loopback6() {
        try {
            return InetAddress.getByName("::1");
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeEach
    void startNova() throws Exception {
        nova = new NovaMetadataStandIn(SECRET).addInstance(NOVA_A);
        nova.start();
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        nova.close();
    }

    private static boolean ipv6LoopbackUsable() {
        try (ServerSocket s = new ServerSocket(0, 1, V6_LOOPBACK)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void ipv6GuestShouldBeIdentifiedBySourceAndSignedAsOverIpv4() throws Exception {
        assumeTrue(ipv6LoopbackUsable(), "WARNING: no IPv6 loopback on this host");
        InstanceDirectory directory = source -> source instanceof Inet6Address ? VM_A6 : null;
        proxy = new MetadataProxy(MetadataProxyConfig.builder().port(0).sharedSecret(SECRET).build(), directory,
                MetadataUpstreams.fixed(List.of(nova.address())));
        proxy.start();
        InetSocketAddress v6 = proxy.listenAlso(new InetSocketAddress(V6_LOOPBACK, 0));
        try (RawHttpClient g = new RawHttpClient("::1", v6)) {
            RawHttpClient.Response r = g.exchange("GET /openstack HTTP/1.1\r\nHost: [fe80::a9fe:a9fe]\r\n"
                    + "X-Instance-ID: forged\r\nX-Forwarded-For: fe80::3\r\n\r\n");
            assertEquals(200, r.status(), r.bodyText());
        }
        RecordedRequest seen = nova.requests().get(0);
        assertEquals(VM_A.instanceId(), seen.header("X-Instance-ID"));
        assertEquals(ProxyFixtures.nodash(VM_A.projectId()), seen.header("X-Tenant-ID"));
        assertEquals("fd00::3", seen.header("X-Forwarded-For"));
        assertEquals(nova.expectedSignature(VM_A.instanceId()), seen.header("X-Instance-ID-Signature"));
        assertEquals(1, seen.all("X-Instance-ID").size(), "the guest's forged header is gone");
    }

    @Test
    void listenAlsoShouldBeRefusedBeforeStartAndReportAnAddressInUse() throws Exception {
        proxy = new MetadataProxy(MetadataProxyConfig.builder().port(0).sharedSecret(SECRET).build(),
                source -> null, MetadataUpstreams.fixed(List.of(nova.address())));
        assertThrows(IllegalStateException.class,
                () -> proxy.listenAlso(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        InetSocketAddress first = proxy.start();
        assertThrows(IOException.class, () -> proxy.listenAlso(first));
    }
}

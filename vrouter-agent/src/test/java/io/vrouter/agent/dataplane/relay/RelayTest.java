package io.vrouter.agent.dataplane.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import io.vrouter.linklocal.registry.LinkLocalRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.NetworkInterface;
import org.junit.jupiter.api.Assumptions;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The relays on loopback: no privileges needed. */
@Timeout(30)
class RelayTest {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();
    private EventLoopGroup group;

    @BeforeEach
    void setUp() {
        group = new NioEventLoopGroup(1);
    }

    @AfterEach
    void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** A TCP server that answers one line with "tag:line" and closes. */
    private static ServerSocket lineServer(String tag) throws IOException {
        return lineServer(tag, LO);
    }

    private static ServerSocket lineServer(String tag, InetAddress address) throws IOException {
        ServerSocket s = new ServerSocket(0, 50, address);
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try (Socket c = s.accept()) {
                    String line = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8)).readLine();
                    c.getOutputStream().write((tag + ":" + line + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return s;
    }

    private static String ask(int port, String line) throws IOException {
        try (Socket c = new Socket(LO, port)) {
            c.setSoTimeout(5000);
            OutputStream out = c.getOutputStream();
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            c.shutdownOutput();
            return new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    @Test
    void tcpRelayShouldSpreadConnectionsRoundRobinAndPassHalfClose() throws Exception {
        try (ServerSocket a = lineServer("a"); ServerSocket b = lineServer("b")) {
            TcpRelay relay = TcpRelay.start("svc", LO, List.of(new InetSocketAddress(LO, a.getLocalPort()),
                    new InetSocketAddress(LO, b.getLocalPort())), group);
            try {
                String first = ask(relay.port(), "x");
                String second = ask(relay.port(), "y");
                // one connection to each server, in either order
                assertEquals(java.util.Set.of("a", "b"), java.util.Set.of(first.substring(0, 1), second.substring(0, 1)),
                        first + " / " + second);
                assertEquals("x", first.substring(2));
                assertEquals("y", second.substring(2));
                assertEquals(2, relay.connections());
            } finally {
                relay.close();
            }
        }
    }

    @Test
    void tcpRelayShouldTryTheNextAddressWhenOneRefuses() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, LO)) {
            dead = s.getLocalPort(); // closed again: connecting there is refused
        }
        try (ServerSocket live = lineServer("live")) {
            TcpRelay relay = TcpRelay.start("svc", LO, List.of(new InetSocketAddress(LO, dead),
                    new InetSocketAddress(LO, live.getLocalPort())), group);
            try {
                for (int i = 0; i < 4; i++) {
                    assertEquals("live:" + i, ask(relay.port(), Integer.toString(i)));
                }
                assertTrue(relay.connectFailures() >= 1);
            } finally {
                relay.close();
            }
        }
    }

    @Test
    void tcpRelayShouldCloseTheGuestWhenNoAddressAnswers() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, LO)) {
            dead = s.getLocalPort();
        }
        TcpRelay relay = TcpRelay.start("svc", LO, List.of(new InetSocketAddress(LO, dead)), group);
        try (Socket c = new Socket(LO, relay.port())) {
            c.setSoTimeout(5000);
            assertEquals(-1, c.getInputStream().read(), "closed, no data");
        } finally {
            relay.close();
        }
    }

    @Test
    void udpRelayShouldForwardAndReturnAnswersPerGuestSource() throws Exception {
        try (DatagramSocket echo = new DatagramSocket(0, LO)) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[1500];
                while (!echo.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        echo.receive(p);
                        byte[] out = ("re:" + new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8))
                                .getBytes(StandardCharsets.UTF_8);
                        echo.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            UdpRelay relay = UdpRelay.start("svc", LO, List.of(new InetSocketAddress(LO, echo.getLocalPort())), group);
            try (DatagramSocket g1 = new DatagramSocket(0, LO); DatagramSocket g2 = new DatagramSocket(0, LO)) {
                g1.setSoTimeout(5000);
                g2.setSoTimeout(5000);
                InetSocketAddress to = new InetSocketAddress(LO, relay.port());
                g1.send(new DatagramPacket("one".getBytes(), 3, to));
                g2.send(new DatagramPacket("two".getBytes(), 3, to));
                DatagramPacket r1 = new DatagramPacket(new byte[100], 100);
                DatagramPacket r2 = new DatagramPacket(new byte[100], 100);
                g1.receive(r1);
                g2.receive(r2);
                assertEquals("re:one", new String(r1.getData(), 0, r1.getLength(), StandardCharsets.UTF_8));
                assertEquals("re:two", new String(r2.getData(), 0, r2.getLength(), StandardCharsets.UTF_8));
                assertEquals(relay.port(), r1.getPort(), "answers come from the relay's address");
                assertEquals(2, relay.sessionCount());
            } finally {
                relay.close();
            }
        }
    }

    /**
     * An IPv4 address of this host that is neither loopback nor link-local: the registry refuses
     * loopback fabric targets (a guest would reach the node's own services), so fabric servers
     * of this test listen here. Connections to it stay on this host.
     */
    private static InetAddress hostAddress() throws IOException {
        for (NetworkInterface nic : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
                    if (a instanceof java.net.Inet4Address && !a.isLinkLocalAddress() && !a.isLoopbackAddress()) {
                        return a;
                    }
                }
            }
        }
        System.err.println("WARNING: RelayTest: this host has no non-loopback IPv4 address: manager test SKIPPED");
        Assumptions.assumeTrue(false, "no non-loopback IPv4 address on this host");
        return null;
    }

    @Test
    void managerShouldStartRetargetAndStopRelaysWithTheRegistry() throws Exception {
        InetAddress fabric = hostAddress();
        String fabricIp = fabric.getHostAddress();
        try (LinkLocalRegistry registry = LinkLocalRegistry.builder().build(); RelayManager m = new RelayManager(LO);
             ServerSocket a = lineServer("a", fabric); ServerSocket b = lineServer("b", fabric)) {
            registry.apply(new LinkLocalServices(List.of(
                    new LinkLocalServiceEntry("metadata", "169.254.169.254", 80, null, 8775, List.of("127.0.0.1")),
                    new LinkLocalServiceEntry("svc", "169.254.2.2", 99, null, a.getLocalPort(), List.of(fabricIp)))),
                    "t").get(5, TimeUnit.SECONDS);
            m.apply(registry.snapshot());
            assertEquals(java.util.Set.of("svc"), m.services(), "metadata is served by the proxy, not a relay");
            int tcpPort = m.relayPort("svc", 6);
            assertTrue(tcpPort > 0 && m.relayPort("svc", 17) > 0);
            assertEquals(RelayDirectory.NONE, m.relayPort("metadata", 6));
            assertEquals("a:1", ask(tcpPort, "1"));

            registry.apply(new LinkLocalServices(List.of(
                    new LinkLocalServiceEntry("svc", "169.254.2.2", 99, null, b.getLocalPort(), List.of(fabricIp)))),
                    "t").get(5, TimeUnit.SECONDS);
            m.apply(registry.snapshot());
            assertEquals(tcpPort, m.relayPort("svc", 6), "a changed service keeps its relay port");
            assertEquals("b:2", ask(tcpPort, "2"), "new fabric address used");

            registry.apply(LinkLocalServices.EMPTY, "t").get(5, TimeUnit.SECONDS);
            m.apply(registry.snapshot());
            assertTrue(m.services().isEmpty());
            assertEquals(RelayDirectory.NONE, m.relayPort("svc", 6));
        }
    }
}

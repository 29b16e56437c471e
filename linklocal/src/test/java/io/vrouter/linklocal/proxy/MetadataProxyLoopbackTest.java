package io.vrouter.linklocal.proxy;

import static io.vrouter.linklocal.proxy.ProxyFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.vrouter.linklocal.novastandin.NovaMetadataStandIn;
import io.vrouter.linklocal.novastandin.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The proxy on loopback in front of the nova stand-in; guests are sockets bound to 127.0.0.x. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MetadataProxyLoopbackTest {
    /** The token PUT as cloud-init's EC2 datasource sends it (python requests, TTL 21600). */
    private static final String CLOUD_INIT_TOKEN_PUT = "PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\n"
            + "User-Agent: Cloud-Init/24.1\r\nAccept-Encoding: gzip, deflate\r\nAccept: */*\r\n"
            + "Connection: keep-alive\r\nX-aws-ec2-metadata-token-ttl-seconds: 21600\r\nContent-Length: 0\r\n\r\n";
    /** Bound on waiting for the proxy to finish what the guest can no longer observe. */
    private static final long AWAIT_MS = 5000;
    private static NovaMetadataStandIn nova;
    private static NovaMetadataStandIn nova2;
    private MetadataProxy proxy;
    private InetSocketAddress proxyAddress;

    @BeforeAll
    static void startNova() throws Exception {
        nova = new NovaMetadataStandIn(SECRET).addInstance(NOVA_A).addInstance(NOVA_B);
        nova.start();
        nova2 = new NovaMetadataStandIn(SECRET).addInstance(NOVA_A).addInstance(NOVA_B);
        nova2.start();
    }

    @AfterAll
    static void stopNova() {
        nova.close();
        nova2.close();
    }

    @BeforeEach
    void resetNova() {
        for (NovaMetadataStandIn n : List.of(nova, nova2)) {
            n.clearRequests();
            n.delayMs(0);
            n.failWith(0);
            n.gzip(false);
            n.chunked(false);
            n.closeWithoutResponse(false);
        }
    }

    @AfterEach
    void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private void start(Consumer<MetadataProxyConfig.Builder> tweak, MetadataUpstreams upstreams) throws IOException {
        MetadataProxyConfig.Builder b = MetadataProxyConfig.builder().port(0).sharedSecret(SECRET);
        tweak.accept(b);
        proxy = new MetadataProxy(b.build(), DIRECTORY, upstreams);
        proxyAddress = proxy.start();
    }

    private void start() throws IOException {
        start(b -> { }, MetadataUpstreams.fixed(List.of(nova.address())));
    }

    private RawHttpClient guest(String source) throws IOException {
        return new RawHttpClient(source, proxyAddress);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** One GET on a fresh guest connection from {@code source}, closed after the response. */
    private RawHttpClient.Response getOnce(String source, String path) throws IOException {
        try (RawHttpClient g = guest(source)) {
            return g.exchange(RawHttpClient.get(path));
        }
    }

    /**
     * Counters of a response are updated when its write completes, just after the guest reads
     * it: polls until {@code done} holds, failing after {@code AWAIT_MS}.
     */
    private ProxyCountersSnapshot awaitCounters(Predicate<ProxyCountersSnapshot> done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AWAIT_MS);
        ProxyCountersSnapshot s = proxy.counters();
        while (!done.test(s)) {
            assertTrue(System.nanoTime() - deadline < 0, "counters never reached the expected state: " + s);
            Thread.sleep(5);
            s = proxy.counters();
        }
        return s;
    }

    @Test
    void shouldSignAndIdentifyTwoVmsWithTheSameFixedIpSoNovaAcceptsBoth() throws Exception {
        start();
        try (RawHttpClient a = guest(SRC_A); RawHttpClient b = guest(SRC_B)) {
            RawHttpClient.Response ra = a.exchange(RawHttpClient.get("/latest/meta-data/hostname"));
            RawHttpClient.Response rb = b.exchange(RawHttpClient.get("/latest/meta-data/hostname"));
            assertEquals(200, ra.status(), ra.bodyText());
            assertEquals("vm-a.novalocal", ra.bodyText());
            assertEquals(200, rb.status(), rb.bodyText());
            assertEquals("vm-b.novalocal", rb.bodyText());
        }
        List<RecordedRequest> seen = nova.requests();
        assertEquals(2, seen.size());
        RecordedRequest first = seen.stream().filter(r -> VM_A.instanceId().equals(r.header("X-Instance-ID")))
                .findFirst().orElseThrow();
        assertEquals(nodash(VM_A.projectId()), first.header("X-Tenant-ID"));
        assertEquals("10.0.0.3", first.header("X-Forwarded-For"));
        assertEquals(nova.expectedSignature(VM_A.instanceId()), first.header("X-Instance-ID-Signature"));
        assertEquals("127.0.0.1:" + nova.address().getPort(), first.header("Host"));
    }

    @Test
    void shouldIgnoreForgedIdentityHeadersFromTheGuest() throws Exception {
        start();
        try (RawHttpClient b = guest(SRC_B)) {
            RawHttpClient.Response r = b.exchange(RawHttpClient.get("/latest/meta-data/hostname",
                    "X-Instance-ID: " + VM_A.instanceId(),
                    "x-instance-id: " + VM_A.instanceId(),
                    "X-Tenant-ID: " + nodash(VM_A.projectId()),
                    "X-Instance-ID-Signature: " + nova.expectedSignature(VM_A.instanceId()),
                    "X-Forwarded-For: 6.6.6.6",
                    "Forwarded: for=6.6.6.6",
                    "X-Metadata-Provider: evil",
                    "X-Metadata-Provider-Signature: abc",
                    "X-Neutron-Network-ID: n",
                    "X-OVN-Network-ID: o",
                    "Connection: keep-alive, X-Hop",
                    "X-Hop: drop-me",
                    "X-Custom: kept"));
            assertEquals(200, r.status(), r.bodyText());
            assertEquals("vm-b.novalocal", r.bodyText(), "forged headers must not change who the VM is");
        }
        RecordedRequest seen = nova.requests().get(0);
        assertEquals(List.of(VM_B.instanceId()), seen.all("X-Instance-ID"));
        assertEquals(List.of(nodash(VM_B.projectId())), seen.all("X-Tenant-ID"));
        assertEquals(List.of("10.0.0.3"), seen.all("X-Forwarded-For"));
        assertEquals(1, seen.all("X-Instance-ID-Signature").size());
        assertTrue(seen.all("Forwarded").isEmpty());
        assertTrue(seen.all("X-Metadata-Provider").isEmpty());
        assertTrue(seen.all("X-Metadata-Provider-Signature").isEmpty());
        assertTrue(seen.all("X-Neutron-Network-ID").isEmpty());
        assertTrue(seen.all("X-OVN-Network-ID").isEmpty());
        assertTrue(seen.all("X-Hop").isEmpty(), "headers named in Connection are hop-by-hop");
        assertEquals(List.of("kept"), seen.all("X-Custom"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"X_Instance_ID", "X_Tenant_ID", "X_Forwarded_For", "X_Instance_ID_Signature",
            "X_Metadata_Provider"})
    void shouldNotForwardAnIdentityHeaderSpelledWithUnderscores(String name) throws Exception {
        start();
        String forged = name.equals("X_Instance_ID_Signature") ? nova.expectedSignature(VM_A.instanceId())
                : name.equals("X_Tenant_ID") ? nodash(VM_A.projectId()) : name.equals("X_Forwarded_For")
                ? "6.6.6.6" : VM_A.instanceId();
        try (RawHttpClient b = guest(SRC_B)) {
            RawHttpClient.Response r = b.exchange(RawHttpClient.get("/latest/meta-data/hostname", name + ": " + forged));
            assertEquals(200, r.status(), r.bodyText());
            assertEquals("vm-b.novalocal", r.bodyText());
        }
        RecordedRequest seen = nova.requests().get(0);
        assertTrue(seen.all(name).isEmpty(), name + " reached nova");
        assertTrue(seen.headers().stream().noneMatch(h -> h.getKey().contains("_")), seen.headers().toString());
    }

    /** nova reads request lines up to 8 KiB (eventlet's MAX_REQUEST_LINE) and answers 404 for a long unknown path. */
    @Test
    void shouldPassARequestLineOfEightKibToNovaAndRefuseALongerOneWith414() throws Exception {
        start();
        String prefix = "GET /latest/meta-data/";
        String suffix = " HTTP/1.1";
        String path = "x".repeat(MetadataProxyConfig.DEFAULT_MAX_INITIAL_LINE_LENGTH - prefix.length() - suffix.length());
        try (RawHttpClient g = guest(SRC_A)) {
            RawHttpClient.Response r = g.exchange(prefix + path + suffix + "\r\nHost: x\r\n\r\n");
            assertEquals(404, r.status(), "nova's answer for an unknown path, passed through: " + r.bodyText());
        }
        assertEquals(1, nova.requests().size());
        assertEquals(8192, MetadataProxyConfig.DEFAULT_MAX_INITIAL_LINE_LENGTH);
        try (RawHttpClient g = guest(SRC_A)) {
            RawHttpClient.Response r = g.exchange(prefix + path + "y" + suffix + "\r\nHost: x\r\n\r\n");
            assertEquals(414, r.status(), r.bodyText());
        }
        assertEquals(1, nova.requests().size());
    }

    @Test
    void shouldPassNovasTenantMismatch404ThroughUnchanged() throws Exception {
        start();
        RawHttpClient.Response r = getOnce(SRC_MISMATCH, "/latest/meta-data/instance-id");
        assertEquals(404, r.status());
        assertEquals("The resource could not be found.", r.bodyText());
        assertEquals(1, nova.requests().size());
        assertEquals(404, nova.requests().get(0).status());
    }

    @Test
    void shouldPassNova5xxThroughUnchanged() throws Exception {
        start();
        nova.failWith(500);
        RawHttpClient.Response r = getOnce(SRC_A, "/latest/meta-data/");
        assertEquals(500, r.status());
        assertEquals("forced by the test", r.bodyText());
    }

    @Test
    void shouldRefuseUnknownSourceWithoutForwarding() throws Exception {
        start();
        RawHttpClient.Response r = getOnce(SRC_UNKNOWN, "/latest/meta-data/");
        assertEquals(403, r.status());
        assertTrue(r.bodyText().contains("127.0.0.9"), r.bodyText());
        assertTrue(nova.requests().isEmpty());
        assertEquals(1, proxy.counters().rejections(RejectReason.UNKNOWN_SOURCE));
    }

    @Test
    void shouldTraceEachVmsRequestsWithStatusUpstreamAndRejectReason() throws Exception {
        start();
        assertEquals(200, getOnce(SRC_A, "/latest/meta-data/hostname").status());
        assertEquals(403, getOnce(SRC_UNKNOWN, "/latest/user-data").status());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AWAIT_MS);
        while ((proxy.trace().vm(InetAddress.getByName(SRC_A)) == null
                || proxy.trace().vm(InetAddress.getByName(SRC_UNKNOWN)) == null) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        MetadataTrace.VmView a = proxy.trace().vm(InetAddress.getByName(SRC_A));
        assertEquals(VM_A.instanceId(), a.instanceId());
        assertEquals(1, a.requests());
        MetadataTrace.Entry e = a.recent().get(0);
        assertEquals("GET", e.method());
        assertEquals("/latest/meta-data/hostname", e.path());
        assertEquals(200, e.status());
        assertEquals("127.0.0.1:" + nova.address().getPort(), e.upstream());
        assertNull(e.rejectReason());
        assertEquals(java.util.Map.of(200, 1L), a.responsesByStatus());

        MetadataTrace.VmView unknown = proxy.trace().vm(InetAddress.getByName(SRC_UNKNOWN));
        assertNull(unknown.instanceId());
        MetadataTrace.Entry r = unknown.recent().get(0);
        assertEquals(403, r.status());
        assertEquals(RejectReason.UNKNOWN_SOURCE, r.rejectReason());
        assertNull(r.upstream());
        assertEquals(java.util.Map.of(RejectReason.UNKNOWN_SOURCE, 1L), unknown.rejectsByReason());
        assertEquals(1, awaitCounters(c -> c.responsesByStatus().getOrDefault(403, 0L) == 1).responsesByStatus()
                .get(200));
    }

    @Test
    void shouldAnswer503WithClearBodyWhenNoMetadataServiceIsConfigured() throws Exception {
        start(b -> { }, MetadataUpstreams.fixed(List.of()));
        RawHttpClient.Response r = getOnce(SRC_A, "/latest/meta-data/");
        assertEquals(503, r.status());
        assertTrue(r.bodyText().contains("No metadata service is configured"), r.bodyText());
    }

    @Test
    void shouldAnswer503WhenEveryUpstreamRefuses() throws Exception {
        int dead = closedPort();
        start(b -> { }, MetadataUpstreams.fixed(List.of(new InetSocketAddress("127.0.0.1", dead))));
        RawHttpClient.Response r = getOnce(SRC_A, "/latest/meta-data/");
        assertEquals(503, r.status());
        assertTrue(r.bodyText().contains("unreachable"), r.bodyText());
        assertEquals(1, proxy.counters().rejections(RejectReason.UPSTREAM_UNREACHABLE));
    }

    @Test
    void shouldAnswer504WhenUpstreamIsSilent() throws Exception {
        start(b -> b.responseTimeoutMs(300), MetadataUpstreams.fixed(List.of(nova.address())));
        nova.delayMs(3000);
        RawHttpClient.Response r = getOnce(SRC_A, "/latest/meta-data/");
        assertEquals(504, r.status());
        assertEquals(1, proxy.counters().rejections(RejectReason.UPSTREAM_TIMEOUT));
    }

    @Test
    void shouldRetryOnAnotherAddressWhenOneIsDownSoGuestSees200() throws Exception {
        InetSocketAddress dead = new InetSocketAddress("127.0.0.1", closedPort());
        start(b -> { }, MetadataUpstreams.fixed(List.of(dead, nova.address())));
        try (RawHttpClient g = guest(SRC_A)) {
            for (int i = 0; i < 6; i++) {
                RawHttpClient.Response r = g.exchange(RawHttpClient.get("/latest/meta-data/hostname"));
                assertEquals(200, r.status(), "request " + i + ": " + r.bodyText());
            }
        }
        ProxyCountersSnapshot c = awaitCounters(s -> s.status2xx() == 6);
        assertTrue(c.retries() >= 1, c.toString());
        // Marked down after the first refusal: not tried again on every request.
        assertTrue(c.retries() <= 2, c.toString());
        assertEquals(6, c.status2xx());
    }

    @Test
    void shouldRetryOnAnotherAddressWhenConnectTimesOut() throws Exception {
        // A listener that never accepts, its accept queue filled: Linux drops further SYNs,
        // so a connect to it times out (nothing leaves loopback).
        try (ServerSocket blackhole = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    java.net.Socket s = new java.net.Socket();
                    try {
                        s.connect(blackhole.getLocalSocketAddress(), 200);
                    } catch (IOException e) {
                        s.close();
                        break; // the queue is full: exactly what we want
                    }
                    fillers.add(s);
                }
                InetSocketAddress dead = (InetSocketAddress) blackhole.getLocalSocketAddress();
                start(b -> b.connectTimeoutMs(200), MetadataUpstreams.fixed(List.of(dead, nova.address())));
                try (RawHttpClient g = guest(SRC_A)) {
                    for (int i = 0; i < 2; i++) {
                        RawHttpClient.Response r = g.exchange(RawHttpClient.get("/latest/meta-data/hostname"));
                        assertEquals(200, r.status(), r.bodyText());
                    }
                }
                assertEquals(1, proxy.counters().retries(), "timed out once, then skipped while down");
            } finally {
                for (java.net.Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    @Test
    void shouldSpreadRequestsRoundRobinOverAddresses() throws Exception {
        start(b -> { }, MetadataUpstreams.fixed(List.of(nova.address(), nova2.address())));
        try (RawHttpClient g = guest(SRC_A)) {
            for (int i = 0; i < 6; i++) {
                assertEquals(200, g.exchange(RawHttpClient.get("/latest/meta-data/ami-id")).status());
            }
        }
        assertEquals(3, nova.requests().size());
        assertEquals(3, nova2.requests().size());
    }

    @Test
    void shouldReuseOneUpstreamConnectionForKeepAliveRequests() throws Exception {
        start(b -> b.ioThreads(1), MetadataUpstreams.fixed(List.of(nova.address())));
        try (RawHttpClient g = guest(SRC_A)) {
            for (int i = 0; i < 5; i++) {
                assertEquals(200, g.exchange(RawHttpClient.get("/latest/meta-data/ami-id")).status());
            }
        }
        assertEquals(1, proxy.counters().upstreamConnectionsOpened());
    }

    @Test
    void shouldRetryIdempotentRequestWhenPooledConnectionWasClosedByNova() throws Exception {
        start(b -> b.ioThreads(1), MetadataUpstreams.fixed(List.of(nova.address())));
        try (RawHttpClient g = guest(SRC_A)) {
            assertEquals(200, g.exchange(RawHttpClient.get("/latest/meta-data/ami-id")).status());
            nova.closeWithoutResponse(true);
            RawHttpClient.Response r = g.exchange(RawHttpClient.get("/latest/meta-data/ami-id"));
            assertEquals(502, r.status(), "nova closed twice: an error, after exactly one retry");
            assertEquals(1, proxy.counters().retries());
        }
    }

    @Test
    void shouldAnswer502WhenNovasResponseIsOverTheLimit() throws Exception {
        try (NovaMetadataStandIn big = new NovaMetadataStandIn(SECRET).addInstance(
                new io.vrouter.linklocal.novastandin.StandInInstance(VM_A.instanceId(), nodash(VM_A.projectId()),
                        "vm-a", "nova", null, "x".repeat(5000)))) {
            big.start();
            start(b -> b.maxResponseBodyBytes(4096), MetadataUpstreams.fixed(List.of(big.address())));
            try (RawHttpClient g = guest(SRC_A)) {
                assertEquals(502, g.exchange(RawHttpClient.get("/latest/user-data")).status());
                assertEquals(200, g.exchange(RawHttpClient.get("/latest/meta-data/hostname")).status(),
                        "the guest connection survives; the upstream one was discarded");
            }
        }
    }

    @Test
    void shouldAnswer502WhenNovasStatusLineOrHeadersAreOverTheLimit() throws Exception {
        String longReason = "HTTP/1.1 200 " + "O".repeat(100) + "\r\nContent-Length: 0\r\n\r\n";
        String bigHeader = "HTTP/1.1 200 OK\r\nX-Big: " + "b".repeat(600) + "\r\nContent-Length: 0\r\n\r\n";
        for (String answer : List.of(longReason, bigHeader)) {
            try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                Thread server = new Thread(() -> answerOnce(fake, answer), "fake-nova");
                server.setDaemon(true);
                server.start();
                start(b -> b.maxResponseInitialLineLength(64).maxResponseHeaderSize(512),
                        MetadataUpstreams.fixed(List.of((InetSocketAddress) fake.getLocalSocketAddress())));
                assertEquals(502, getOnce(SRC_A, "/latest/meta-data/").status(), answer);
                assertEquals(1, proxy.counters().rejections(RejectReason.UPSTREAM_ERROR));
                server.join(AWAIT_MS);
            } finally {
                proxy.close();
            }
        }
    }

    /** A nova that reads one request's head and writes {@code raw} back, then closes. */
    private static void answerOnce(ServerSocket server, String raw) {
        try (Socket s = server.accept()) {
            s.setSoTimeout((int) AWAIT_MS);
            InputStream in = s.getInputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            // The test's assertions report what the proxy made of it.
        }
    }

    @Test
    void shouldSurviveGuestDisconnectingWhileNovaIsSlow() throws Exception {
        start();
        nova.delayMs(300);
        try (RawHttpClient g = guest(SRC_A)) {
            g.send(RawHttpClient.get("/latest/meta-data/hostname"));
        }
        // Nova answers to a guest that is gone: the proxy counts the 200 when the write fails.
        awaitCounters(s -> s.status2xx() == 1);
        assertEquals(1, nova.requests().size());
        nova.delayMs(0);
        assertEquals(200, getOnce(SRC_A, "/latest/meta-data/hostname").status());
        assertEquals(2, nova.requests().size());
    }

    @Test
    void shouldPassGzipBodyThroughByteExact() throws Exception {
        start();
        for (boolean chunked : new boolean[] {false, true}) {
            nova.gzip(true);
            nova.chunked(chunked);
            try (RawHttpClient g = guest(SRC_A)) {
                RawHttpClient.Response r = g.exchange(RawHttpClient.get("/openstack/latest/meta_data.json",
                        "Accept-Encoding: gzip, deflate"));
                assertEquals(200, r.status());
                assertEquals("gzip", r.header("Content-Encoding"));
                try (RawHttpClient direct = new RawHttpClient("127.0.0.1", nova.address())) {
                    // The stand-in is deterministic: ask it directly for the same bytes.
                    RawHttpClient.Response d = direct.exchange("GET /openstack/latest/meta_data.json HTTP/1.1\r\n"
                            + "Host: x\r\nAccept-Encoding: gzip\r\nX-Instance-ID: " + VM_A.instanceId()
                            + "\r\nX-Tenant-ID: " + nodash(VM_A.projectId()) + "\r\nX-Instance-ID-Signature: "
                            + nova.expectedSignature(VM_A.instanceId()) + "\r\n\r\n");
                    assertArrayEquals(d.body(), r.body(), "chunked=" + chunked);
                }
                String json = new String(new java.util.zip.GZIPInputStream(
                        new java.io.ByteArrayInputStream(r.body())).readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(json.contains(VM_A.instanceId()), json);
            }
        }
    }

    @Test
    void shouldForwardMethodPathQueryAndBodyIntact() throws Exception {
        start();
        try (RawHttpClient g = guest(SRC_A)) {
            String body = "encrypted-password-blob";
            RawHttpClient.Response r = g.exchange("POST /openstack/2013-04-04/password?x=1&y=%20 HTTP/1.1\r\n"
                    + "Host: 169.254.169.254\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            assertEquals(200, r.status(), r.bodyText());
        }
        RecordedRequest post = nova.requests().get(0);
        assertEquals("POST", post.method());
        assertEquals("/openstack/2013-04-04/password?x=1&y=%20", post.uri());
        assertEquals("encrypted-password-blob", new String(post.body(), StandardCharsets.UTF_8));
    }

    @Test
    void shouldForwardHeadPutAndDelete() throws Exception {
        start();
        try (RawHttpClient g = guest(SRC_A)) {
            g.send("HEAD /latest/meta-data/hostname HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttpClient.Response head = g.read(true);
            assertEquals(200, head.status());
            assertEquals(String.valueOf("vm-a.novalocal".length()), head.header("Content-Length"));
            assertEquals(200, g.exchange("PUT /latest/meta-data/ HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
                    .status());
            assertEquals(200, g.exchange("DELETE /latest/meta-data/ HTTP/1.1\r\nHost: x\r\n\r\n").status());
        }
        List<String> methods = nova.requests().stream().map(RecordedRequest::method).toList();
        assertEquals(List.of("HEAD", "PUT", "DELETE"), methods);
        assertArrayEquals("hi".getBytes(StandardCharsets.UTF_8), nova.requests().get(1).body());
    }

    @Test
    void shouldAnswerPipelinedRequestsInOrder() throws Exception {
        start();
        nova.delayMs(50);
        String[] paths = {"/latest/meta-data/hostname", "/latest/meta-data/ami-id",
                "/latest/meta-data/placement/availability-zone", "/latest/meta-data/local-ipv4"};
        StringBuilder all = new StringBuilder();
        for (String p : paths) {
            all.append(RawHttpClient.get(p));
        }
        try (RawHttpClient g = guest(SRC_A)) {
            g.send(all.toString());
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < paths.length; i++) {
                bodies.add(g.read(false).bodyText());
            }
            assertEquals(List.of("vm-a.novalocal", "ami-00000001", "nova", "10.0.0.3"), bodies);
        }
    }

    @Test
    void shouldAnswerQueuedRequestsThen429AndCloseWhenTooManyArePipelined() throws Exception {
        start(b -> b.maxPipelinedRequests(2), MetadataUpstreams.fixed(List.of(nova.address())));
        nova.delayMs(100);
        try (RawHttpClient g = guest(SRC_A)) {
            g.send(RawHttpClient.get("/latest/meta-data/ami-id").repeat(6));
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                statuses.add(g.read(false).status());
            }
            // 1 in flight + 2 queued are answered; the 4th..6th overflow: one 429, then close.
            assertEquals(List.of(200, 200, 200, 429), statuses);
            assertTrue(g.closedByPeer());
        }
        assertEquals(1, proxy.counters().rejections(RejectReason.PIPELINE_OVERFLOW));
    }

    @Test
    void shouldHonourConnectionClose() throws Exception {
        start();
        try (RawHttpClient g = guest(SRC_A)) {
            RawHttpClient.Response r = g.exchange(RawHttpClient.get("/latest/meta-data/ami-id", "Connection: close"));
            assertEquals(200, r.status());
            assertEquals("close", r.header("Connection"));
            assertTrue(g.closedByPeer());
        }
    }

    @Test
    void shouldRateLimitPerVmWith429AndRetryAfterWithoutSlowingOtherVms() throws Exception {
        start(b -> b.rateLimitPerSecond(0.5).rateLimitBurst(3), MetadataUpstreams.fixed(List.of(nova.address())));
        try (RawHttpClient a = guest(SRC_A); RawHttpClient b = guest(SRC_B)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, a.exchange(RawHttpClient.get("/latest/meta-data/ami-id")).status());
            }
            RawHttpClient.Response limited = a.exchange(RawHttpClient.get("/latest/meta-data/ami-id"));
            assertEquals(429, limited.status());
            int retryAfter = Integer.parseInt(limited.header("Retry-After"));
            assertTrue(retryAfter >= 1 && retryAfter <= 2, "Retry-After " + retryAfter);
            assertEquals(200, b.exchange(RawHttpClient.get("/latest/meta-data/ami-id")).status(),
                    "another VM is not limited by VM A's abuse");
        }
        assertEquals(1, proxy.counters().rejections(RejectReason.RATE_LIMITED));
    }

    @Test
    void shouldCapConcurrentConnectionsPerVm() throws Exception {
        start(b -> b.maxConnectionsPerVm(2), MetadataUpstreams.fixed(List.of(nova.address())));
        try (RawHttpClient a1 = guest(SRC_A); RawHttpClient a2 = guest(SRC_A); RawHttpClient a3 = guest(SRC_A);
             RawHttpClient b1 = guest(SRC_B)) {
            assertEquals(200, a1.exchange(RawHttpClient.get("/")).status());
            assertEquals(200, a2.exchange(RawHttpClient.get("/")).status());
            RawHttpClient.Response third = a3.exchange(RawHttpClient.get("/"));
            assertEquals(429, third.status());
            assertTrue(third.bodyText().contains("Too many connections"), third.bodyText());
            assertTrue(a3.closedByPeer());
            assertEquals(200, b1.exchange(RawHttpClient.get("/")).status());
        }
        assertEquals(1, proxy.counters().rejections(RejectReason.TOO_MANY_CONNECTIONS));
    }

    @Test
    void shouldRefuseOversizedBodyWith413() throws Exception {
        start(b -> b.maxRequestBodyBytes(100), MetadataUpstreams.fixed(List.of(nova.address())));
        try (RawHttpClient g = guest(SRC_A)) {
            char[] big = new char[101];
            Arrays.fill(big, 'x');
            RawHttpClient.Response r = g.exchange("POST /openstack/latest/password HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Length: 101\r\n\r\n" + new String(big));
            assertEquals(413, r.status());
        }
        assertTrue(nova.requests().isEmpty());
        assertEquals(1, proxy.counters().rejections(RejectReason.BODY_TOO_LARGE));
    }

    @Test
    void shouldRefuseSlowRequestWith408() throws Exception {
        start(b -> b.requestReadTimeoutMs(300), MetadataUpstreams.fixed(List.of(nova.address())));
        try (RawHttpClient g = guest(SRC_A)) {
            g.send("GET /latest/meta-data/ HTTP/1.1\r\nHost: x\r\n");
            RawHttpClient.Response r = g.read(false);
            assertEquals(408, r.status());
            assertTrue(g.closedByPeer());
        }
        assertTrue(nova.requests().isEmpty());
    }

    @Test
    void shouldCloseIdleConnections() throws Exception {
        start(b -> b.idleTimeoutMs(200), MetadataUpstreams.fixed(List.of(nova.address())));
        try (RawHttpClient g = guest(SRC_A)) {
            assertEquals(200, g.exchange(RawHttpClient.get("/")).status());
            g.soTimeout(5000);
            assertTrue(g.closedByPeer());
        }
    }

    @Test
    void shouldServeEveryPathCloudInitReads() throws Exception {
        start();
        String[] paths = {"/openstack", "/openstack/latest/meta_data.json", "/openstack/latest/user_data",
                "/openstack/latest/vendor_data.json", "/openstack/latest/vendor_data2.json",
                "/openstack/latest/network_data.json", "/latest/meta-data/instance-id", "/latest/user-data",
                "/latest/meta-data/public-keys/0/openssh-key", "/2009-04-04/meta-data/placement/availability-zone"};
        try (RawHttpClient g = guest(SRC_B)) {
            for (String p : paths) {
                RawHttpClient.Response r = g.exchange(RawHttpClient.get(p, "Accept-Encoding: gzip, deflate"));
                assertEquals(200, r.status(), p + ": " + r.bodyText());
            }
        }
        // The status is counted when the response is written, its latency when the write completes.
        ProxyCountersSnapshot c = awaitCounters(s -> s.status2xx() == paths.length
                && s.latencyMicros().getTotalCount() == paths.length);
        assertEquals(paths.length, c.status2xx());
        assertEquals(paths.length, c.latencyMicros().getTotalCount());
    }

    @Test
    void shouldAnswerARequestFollowedByAHalfClose() throws Exception {
        start();
        try (RawHttpClient g = guest(SRC_A)) {
            g.send(RawHttpClient.get("/latest/meta-data/hostname")).shutdownOutput();
            RawHttpClient.Response r = g.read(false);
            assertEquals(200, r.status(), r.bodyText());
            assertEquals("vm-a.novalocal", r.bodyText());
            assertEquals("close", r.header("Connection"));
            assertTrue(g.closedByPeer());
        }
    }

    @Test
    void shouldWarnOnceWithTheHintAndCountNovas403PerStatusAndVmWhenTheSecretIsWrong() throws Exception {
        try (ProxyLogCapture log = new ProxyLogCapture()) {
            start(b -> b.sharedSecret("not-novas-secret").logLinesPerReason(1),
                    MetadataUpstreams.fixed(List.of(nova.address())));
            try (RawHttpClient g = guest(SRC_A)) {
                for (int i = 0; i < 3; i++) {
                    assertEquals(403, g.exchange(RawHttpClient.get("/latest/meta-data/hostname")).status());
                }
            }
            ProxyCountersSnapshot c = awaitCounters(s -> s.responses(403) == 3);
            assertEquals(3, c.responses(VM_A.instanceId(), 403));
            List<String> warns = log.lines(Level.WARN);
            assertEquals(1, warns.size(), warns.toString());
            String line = warns.get(0);
            assertTrue(line.contains("status=403"), line);
            assertTrue(line.contains("vm=" + VM_A.instanceId()), line);
            assertTrue(line.contains("[METADATA] metadata_proxy_secret must equal nova's"), line);
        }
    }

    @Test
    void shouldStayQuietOnNovasOrdinary404ButCountIt() throws Exception {
        try (ProxyLogCapture log = new ProxyLogCapture()) {
            start();
            assertEquals(404, getOnce(SRC_B, "/latest/meta-data/no-such-key").status());
            ProxyCountersSnapshot c = awaitCounters(s -> s.responses(404) == 1);
            assertEquals(1, c.responses(VM_B.instanceId(), 404));
            assertEquals(List.of(), log.lines(Level.WARN));
        }
    }

    // IMDSv2 tokens end to end: tokens are the proxy's business and never reach nova (the
    // stand-in records every header it receives).

    private void startWithTokens(MetadataTokenMode mode) throws IOException {
        start(b -> b.tokenMode(mode), MetadataUpstreams.fixed(List.of(nova.address())));
    }

    @Test
    void tokenPutShouldBeAnsweredByTheProxyAndNeverReachNova() throws Exception {
        startWithTokens(MetadataTokenMode.OPTIONAL);
        try (RawHttpClient g = guest(SRC_A)) {
            RawHttpClient.Response r = g.exchange(CLOUD_INIT_TOKEN_PUT);
            assertEquals(200, r.status(), r.bodyText());
            assertEquals("21600", r.header("X-aws-ec2-metadata-token-ttl-seconds"));
            assertEquals(MetadataTokens.TOKEN_CHARS, r.bodyText().length());
        }
        assertEquals(List.of(), nova.requests());
    }

    @Test
    void tokenedRequestShouldReachNovaWithoutAnyTokenHeader() throws Exception {
        startWithTokens(MetadataTokenMode.OPTIONAL);
        try (RawHttpClient g = guest(SRC_A)) {
            String token = g.exchange(CLOUD_INIT_TOKEN_PUT).bodyText();
            RawHttpClient.Response r = g.exchange(RawHttpClient.get("/latest/meta-data/hostname",
                    "X-aws-ec2-metadata-token: " + token,
                    "X_aws_ec2_metadata_token: " + token,
                    "x-aws-ec2-metadata-token-ttl-seconds: 21600",
                    "X_aws_ec2_metadata_token_ttl_seconds: 21600"));
            assertEquals(200, r.status(), r.bodyText());
            assertEquals("vm-a.novalocal", r.bodyText());
        }
        List<RecordedRequest> seen = nova.requests();
        assertEquals(1, seen.size(), "the token PUT is not among them");
        for (Map.Entry<String, String> h : seen.get(0).headers()) {
            String name = h.getKey().toLowerCase(Locale.ROOT).replace('_', '-');
            assertFalse(name.startsWith("x-aws-ec2-metadata-token"), "reached nova: " + h);
        }
        assertEquals(VM_A.instanceId(), seen.get(0).header("X-Instance-ID"));
    }

    @Test
    void requiredModeShouldRefusePlainRequestsBeforeNovaAndServeTokenedOnes() throws Exception {
        startWithTokens(MetadataTokenMode.REQUIRED);
        try (RawHttpClient g = guest(SRC_B)) {
            // cloud-init's OpenStack datasource: a plain GET.
            assertEquals(401, g.exchange(RawHttpClient.get("/openstack/latest/meta_data.json")).status());
            assertEquals(List.of(), nova.requests());
            String token = g.exchange(CLOUD_INIT_TOKEN_PUT).bodyText();
            RawHttpClient.Response r = g.exchange(RawHttpClient.get("/latest/meta-data/hostname",
                    "X-aws-ec2-metadata-token: " + token));
            assertEquals(200, r.status(), r.bodyText());
            assertEquals("vm-b.novalocal", r.bodyText());
        }
        assertEquals(1, nova.requests().size());
        assertEquals(1, proxy.counters().rejections(RejectReason.TOKEN_MISSING));
        assertEquals(1, proxy.counters().tokensIssued());
    }
}

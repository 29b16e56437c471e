package io.vrouter.linklocal.proxy;

import static io.vrouter.linklocal.proxy.ProxyFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A response reaches only the guest whose request caused it, whatever the upstream sends:
 * interim responses, an extra response, a protocol switch. One event loop, so both guests'
 * requests share one upstream pool (the way guest B could get guest A's answer).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UpstreamIntegrityTest {
    private MisbehavingUpstream upstream;
    private MetadataProxy proxy;
    private InetSocketAddress proxyAddress;

    @AfterEach
    void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private void start(Supplier<Function<MisbehavingUpstream.RequestHead, List<byte[]>>> scripts) throws IOException {
        upstream = new MisbehavingUpstream(scripts);
        proxy = new MetadataProxy(MetadataProxyConfig.builder().port(0).sharedSecret(SECRET).ioThreads(1).build(),
                DIRECTORY, MetadataUpstreams.fixed(List.of(upstream.address())));
        proxyAddress = proxy.start();
    }

    private RawHttpClient.Response get(String source) throws IOException {
        try (RawHttpClient g = new RawHttpClient(source, proxyAddress)) {
            return g.exchange(RawHttpClient.get("/latest/meta-data/instance-id"));
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            bos.writeBytes(p);
        }
        return bos.toByteArray();
    }

    @Test
    void shouldSkipEarlyHintsAndGiveEachGuestOnlyItsOwnFinalResponse() throws Exception {
        byte[] earlyHints = ascii("HTTP/1.1 103 Early Hints\r\nLink: </latest>; rel=preload\r\n\r\n");
        start(() -> r -> List.of(earlyHints, MisbehavingUpstream.okNaming(r, "final")));

        RawHttpClient.Response a = get(SRC_A);
        RawHttpClient.Response b = get(SRC_B);

        assertEquals(200, a.status(), a.bodyText());
        assertEquals("final for " + VM_A.instanceId(), a.bodyText());
        assertEquals(200, b.status(), b.bodyText());
        assertEquals("final for " + VM_B.instanceId(), b.bodyText());
        assertEquals(1, upstream.connectionsAccepted(), "an interim response does not spoil the connection");
    }

    @Test
    void shouldSkipAHundredContinueSentInTheSameSegmentAsTheResponse() throws Exception {
        byte[] cont = ascii("HTTP/1.1 100 Continue\r\n\r\n");
        start(() -> r -> List.of(concat(cont, MisbehavingUpstream.okNaming(r, "final"))));

        RawHttpClient.Response a = get(SRC_A);

        assertEquals(200, a.status(), a.bodyText());
        assertEquals("final for " + VM_A.instanceId(), a.bodyText());
    }

    @Test
    void shouldNeverHandAnExtraResponseToTheNextGuest() throws Exception {
        // Each answer is followed by an unsolicited response naming the same VM, split in two:
        // its first half right behind the answer, its rest just before the next answer on that
        // connection, exactly where a reused connection would take it for the next request's.
        start(() -> new Function<>() {
            private byte[] rest = new byte[0];

            @Override
            public List<byte[]> apply(MisbehavingUpstream.RequestHead r) {
                byte[] extra = MisbehavingUpstream.okNaming(r, "unsolicited");
                int half = extra.length / 2;
                byte[] out = concat(rest, MisbehavingUpstream.okNaming(r, "answer"), Arrays.copyOf(extra, half));
                rest = Arrays.copyOfRange(extra, half, extra.length);
                return List.of(out);
            }
        });

        RawHttpClient.Response a = get(SRC_A);
        RawHttpClient.Response b = get(SRC_B);

        assertEquals("answer for " + VM_A.instanceId(), a.bodyText());
        assertEquals(200, b.status(), b.bodyText());
        assertEquals("answer for " + VM_B.instanceId(), b.bodyText(), "guest B must never see guest A's data");
        assertEquals(2, upstream.connectionsAccepted(), "a connection with bytes past its response is not reused");
    }

    @Test
    void shouldAnswer502WhenTheUpstreamSwitchesProtocols() throws Exception {
        byte[] switching = ascii("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n");
        start(() -> r -> List.of(switching));

        RawHttpClient.Response a = get(SRC_A);

        assertEquals(502, a.status(), a.bodyText());
        assertEquals(1, proxy.counters().rejections(RejectReason.UPSTREAM_ERROR));
    }
}

package io.vrouter.linklocal.proxy;

import static io.vrouter.linklocal.proxy.ProxyFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.vrouter.linklocal.novastandin.NovaMetadataStandIn;
import io.vrouter.linklocal.novastandin.RecordedRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * IMDSv2 tokens end to end on loopback, in front of the nova stand-in (which records every
 * header it receives): tokens are the proxy's business and never reach nova.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ImdsTokenLoopbackTest {
    /** The token PUT as cloud-init's EC2 datasource sends it (python requests, TTL 21600). */
    private static final String CLOUD_INIT_TOKEN_PUT = "PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\n"
            + "User-Agent: Cloud-Init/24.1\r\nAccept-Encoding: gzip, deflate\r\nAccept: */*\r\n"
            + "Connection: keep-alive\r\nX-aws-ec2-metadata-token-ttl-seconds: 21600\r\nContent-Length: 0\r\n\r\n";
    private static NovaMetadataStandIn nova;
    private MetadataProxy proxy;
    private InetSocketAddress proxyAddress;

    @BeforeAll
    static void startNova() throws Exception {
        nova = new NovaMetadataStandIn(SECRET).addInstance(NOVA_A).addInstance(NOVA_B);
        nova.start();
    }

    @AfterAll
    static void stopNova() {
        nova.close();
    }

    @BeforeEach
    void clearNova() {
        nova.clearRequests();
    }

    @AfterEach
    void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private void start(MetadataTokenMode mode) throws IOException {
        proxy = new MetadataProxy(MetadataProxyConfig.builder().port(0).sharedSecret(SECRET).tokenMode(mode).build(),
                DIRECTORY, MetadataUpstreams.fixed(List.of(nova.address())));
        proxyAddress = proxy.start();
    }

    @Test
    void tokenPutShouldBeAnsweredByTheProxyAndNeverReachNova() throws Exception {
        start(MetadataTokenMode.OPTIONAL);
        try (RawHttpClient g = new RawHttpClient(SRC_A, proxyAddress)) {
            RawHttpClient.Response r = g.exchange(CLOUD_INIT_TOKEN_PUT);
            assertEquals(200, r.status(), r.bodyText());
            assertEquals("21600", r.header("X-aws-ec2-metadata-token-ttl-seconds"));
            assertEquals(MetadataTokens.TOKEN_CHARS, r.bodyText().length());
        }
        assertEquals(List.of(), nova.requests());
    }

    @Test
    void tokenedRequestShouldReachNovaWithoutAnyTokenHeader() throws Exception {
        start(MetadataTokenMode.OPTIONAL);
        try (RawHttpClient g = new RawHttpClient(SRC_A, proxyAddress)) {
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
        start(MetadataTokenMode.REQUIRED);
        try (RawHttpClient g = new RawHttpClient(SRC_B, proxyAddress)) {
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

package io.vrouter.linklocal.proxy;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetadataProxyConfigTest {
    @Test
    void shouldDefaultToContrailsPort8097AndVerifiedPlainSettings() {
        MetadataProxyConfig c = MetadataProxyConfig.builder().sharedSecret("s").build();
        assertEquals(8097, c.port());
        assertTrue(c.stripProjectIdDashes());
        assertFalse(c.tls().enabled());
        assertEquals(MetadataProxyConfig.DEFAULT_RATE_LIMIT_BURST, c.rateLimitBurst());
    }

    @Test
    void shouldRequireTheSharedSecretWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MetadataProxyConfig.builder().build());
        assertTrue(e.getMessage().contains("metadata_proxy_secret"), e.getMessage());
    }

    @Test
    void shouldNameTheBadSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MetadataProxyConfig.builder().sharedSecret("s").port(70000).build());
        assertTrue(e.getMessage().startsWith("port must be in"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MetadataProxyConfig.builder().sharedSecret("s").rateLimitPerSecond(Double.NaN).build());
        assertTrue(e.getMessage().contains("rateLimitPerSecond"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MetadataProxyConfig.builder().sharedSecret("s").responseTimeoutMs(0).build());
        assertTrue(e.getMessage().contains("responseTimeoutMs"), e.getMessage());
    }

    @Test
    void shouldKeepEverySettingTheBuilderWasGiven() throws Exception {
        InetAddress bind = InetAddress.getByName("192.0.2.7");
        TlsSettings tls = TlsSettings.verifying(null);
        MetadataProxyConfig c = MetadataProxyConfig.builder().bindAddress(bind).port(1).sharedSecret("s")
                .stripProjectIdDashes(false).ioThreads(3).preferNativeTransport(false).maxInitialLineLength(100)
                .maxHeaderSize(1001).maxRequestBodyBytes(1002).maxResponseBodyBytes(2003)
                .maxResponseInitialLineLength(1004).maxResponseHeaderSize(1005).connectTimeoutMs(1006)
                .responseTimeoutMs(1007).upstreamDownMs(1008).requestReadTimeoutMs(1009).idleTimeoutMs(1010)
                .maxPipelinedRequests(11).rateLimitPerSecond(12.5).rateLimitBurst(13).maxConnectionsPerVm(14)
                .maxIdleUpstreamConnections(15).logLinesPerReason(16).logIntervalMs(17).tls(tls).build();
        assertEquals(List.of(bind, 1, "s", false, 3, false, 100, 1001, 1002, 2003, 1004, 1005, 1006, 1007, 1008,
                        1009, 1010, 11, 12.5, 13, 14, 15, 16, 17, tls),
                List.of(c.bindAddress(), c.port(), c.sharedSecret(), c.stripProjectIdDashes(), c.ioThreads(),
                        c.preferNativeTransport(), c.maxInitialLineLength(), c.maxHeaderSize(),
                        c.maxRequestBodyBytes(), c.maxResponseBodyBytes(), c.maxResponseInitialLineLength(),
                        c.maxResponseHeaderSize(), c.connectTimeoutMs(), c.responseTimeoutMs(), c.upstreamDownMs(),
                        c.requestReadTimeoutMs(), c.idleTimeoutMs(), c.maxPipelinedRequests(),
                        c.rateLimitPerSecond(), c.rateLimitBurst(), c.maxConnectionsPerVm(),
                        c.maxIdleUpstreamConnections(), c.logLinesPerReason(), c.logIntervalMs(), c.tls()));
    }

    @Test
    void shouldNeverShowTheSharedSecretInToString() {
        String s = MetadataProxyConfig.builder().sharedSecret("hunter2-shared").build().toString();
        assertFalse(s.contains("hunter2"), s);
        assertTrue(s.contains("127.0.0.1:8097"), s);
    }

    @Test
    void shouldValidateTheNovaResponseDecoderLimitsLikeTheGuestOnes() {
        MetadataProxyConfig c = MetadataProxyConfig.builder().sharedSecret("s").build();
        assertEquals(MetadataProxyConfig.DEFAULT_MAX_RESPONSE_INITIAL_LINE_LENGTH, c.maxResponseInitialLineLength());
        assertEquals(MetadataProxyConfig.DEFAULT_MAX_RESPONSE_HEADER_SIZE, c.maxResponseHeaderSize());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MetadataProxyConfig.builder().sharedSecret("s").maxResponseHeaderSize(10).build());
        assertEquals("maxResponseHeaderSize must be in [256, 1048576], got 10", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MetadataProxyConfig.builder().sharedSecret("s").maxResponseInitialLineLength(0).build());
        assertEquals("maxResponseInitialLineLength must be in [64, 1048576], got 0", e.getMessage());
    }
}

package io.vrouter.linklocal.proxy;

import static org.junit.jupiter.api.Assertions.*;

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

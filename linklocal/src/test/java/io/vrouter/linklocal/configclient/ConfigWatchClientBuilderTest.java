package io.vrouter.linklocal.configclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** The builder refuses a null for any setting it is given; leaving a setting unset is its default. */
class ConfigWatchClientBuilderTest {
    private static ConfigWatchClient.Builder builder() {
        return ConfigWatchClient.builder(ConfigApiEndpoint.of(URI.create("http://127.0.0.1:8082"), null, null), u -> { });
    }

    @Test
    void nullSharedResourcesShouldBeRefusedNamingTheSetting() {
        assertEquals("httpClient", assertThrows(NullPointerException.class,
                () -> builder().httpClient(null)).getMessage());
        assertEquals("scheduler", assertThrows(NullPointerException.class,
                () -> builder().scheduler(null)).getMessage());
        assertEquals("node name", assertThrows(NullPointerException.class,
                () -> builder().nodeName(null)).getMessage());
    }
}

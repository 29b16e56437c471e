package io.vrouter.provision.keystone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The [KEYSTONE] section as Contrail's files write it. */
class KeystoneSettingsTest {
    @TempDir
    Path tmp;

    private Path ini(String text) throws Exception {
        Path p = tmp.resolve("x.conf");
        Files.writeString(p, text);
        return p;
    }

    @Test
    void authUrlFormsShouldAllGiveTheV3Root() {
        for (String u : List.of("http://ks:5000", "http://ks:5000/", "http://ks:5000/v3", "http://ks:5000/v3/",
                "http://ks:5000/v2.0", "http://ks:5000/v3/auth/tokens")) {
            assertEquals("http://ks:5000/v3", KeystoneSettings.v3Url(u, "t").toString(), u);
        }
        assertEquals("https://h/identity/v3", KeystoneSettings.v3Url("https://h/identity/v3", "t").toString());
        assertThrows(IllegalArgumentException.class, () -> KeystoneSettings.v3Url("ftp://h/v3", "t"));
    }

    @Test
    void authHostPortProtocolShouldBuildTheUrlAndAuthUrlWin() {
        assertEquals("http://10.0.0.1:5000/v3", KeystoneSettings.v3Url(Map.of("auth_host", "10.0.0.1"), "t").toString());
        assertEquals("https://[fd00::1]:35357/v3", KeystoneSettings.v3Url(
                Map.of("auth_host", "fd00::1", "auth_port", "35357", "auth_protocol", "https"), "t").toString());
        assertEquals("http://a:1/v3", KeystoneSettings.v3Url(
                Map.of("auth_host", "b", "auth_url", "http://a:1/v2.0"), "t").toString());
        assertNull(KeystoneSettings.v3Url(Map.of("admin_user", "x"), "t"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KeystoneSettings.v3Url(Map.of("auth_host", "h", "auth_port", "http"), "f [KEYSTONE]"));
        assertTrue(e.getMessage().contains("auth_port"), e.getMessage());
    }

    @Test
    void aServiceShouldNeedItsCredentialsAndNameTheMissingKeys() throws Exception {
        Path p = ini("[DEFAULTS]\nauth_strategy = keystone\n[KEYSTONE]\nauth_host = 127.0.0.1\nadmin_user = api\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeystoneSettings.forService(p));
        assertTrue(e.getMessage().contains("admin_password, admin_tenant_name"), e.getMessage());
        Path none = ini("[DEFAULTS]\nauth_strategy = keystone\n");
        e = assertThrows(IllegalArgumentException.class, () -> KeystoneSettings.forService(none));
        assertTrue(e.getMessage().contains("auth_url"), e.getMessage());
    }

    @Test
    void aContrailKeystoneAuthConfShouldLoadWithItsExtraKeysReported() throws Exception {
        Path p = ini("[KEYSTONE]\nauth_url = http://10.0.0.1:5000/v3\nauth_host = 10.0.0.1\nauth_protocol = http\n"
                + "auth_port = 5000\nadmin_user = admin\nadmin_password = pw\nadmin_tenant_name = admin\n"
                + "insecure = false\nmemcache_servers = 127.0.0.1:11211\n#cafile=/x\ntoken_cache_time = 30\n");
        KeystoneSettings s = KeystoneSettings.forService(p);
        assertEquals("http://10.0.0.1:5000/v3", s.v3Url().toString());
        assertEquals(PasswordCredentials.of("admin", "pw", "admin"), s.credentials());
        assertEquals(Duration.ofSeconds(30), s.tokenCacheTime());
        assertEquals(List.of("memcache_servers"), s.ignoredKeys());
        assertTrue(!s.toString().contains("pw"), s.toString());
    }

    @Test
    void theDefaultTokenCacheTimeShouldBeKeystonemiddlewares() throws Exception {
        Path p = ini("[KEYSTONE]\nauth_host = h\nadmin_user = a\nadmin_password = p\nadmin_tenant_name = t\n");
        assertEquals(Duration.ofSeconds(300), KeystoneSettings.forService(p).tokenCacheTime());
        Path bad = ini("[KEYSTONE]\nauth_host = h\nadmin_user = a\nadmin_password = p\nadmin_tenant_name = t\ntoken_cache_time = -1\n");
        assertThrows(IllegalArgumentException.class, () -> KeystoneSettings.forService(bad));
    }

    @Test
    void aClientShouldUseKeystoneOnlyWhenTheFileNamesIt() throws Exception {
        assertNull(KeystoneSettings.forClient(null, "u", "p", "t"));
        Path basic = ini("[DEFAULTS]\napi_server_port = 8082\n[KEYSTONE]\nadmin_user = u\nadmin_password = p\n");
        assertNull(KeystoneSettings.forClient(basic, "u", "p", null), "no auth_host/auth_url: HTTP Basic");
        Path ks = ini("[KEYSTONE]\nauth_host = 127.0.0.1\nauth_port = 5000\n");
        KeystoneSettings s = KeystoneSettings.forClient(ks, "u", "p", "t");
        assertEquals(PasswordCredentials.of("u", "p", "t"), s.credentials());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KeystoneSettings.forClient(ks, "u", null, null));
        assertTrue(e.getMessage().contains("--admin_password, --admin_tenant_name"), e.getMessage());
    }

    @Test
    void keystoneTimesShouldParseWithOrWithoutOffset() throws Exception {
        assertEquals(Instant.parse("2026-12-05T09:10:33Z"), KeystoneClient.parseTime("2026-12-05T09:10:33.000000Z"));
        assertEquals(Instant.parse("2026-12-05T09:10:33Z"), KeystoneClient.parseTime("2026-12-05T10:10:33+01:00"));
        assertThrows(KeystoneException.class, () -> KeystoneClient.parseTime("yesterday"));
    }
}

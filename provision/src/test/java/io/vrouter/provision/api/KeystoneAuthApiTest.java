package io.vrouter.provision.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.linklocal.config.VersionedConfig;
import io.vrouter.linklocal.configclient.ConfigApiClient;
import io.vrouter.linklocal.configclient.ConfigApiEndpoint;
import io.vrouter.linklocal.configclient.ConfigApiException;
import io.vrouter.provision.cli.ExitStatus;
import io.vrouter.provision.cli.ProvisionLinklocal;
import io.vrouter.provision.keystone.KeystoneFixture;
import io.vrouter.provision.keystone.KeystoneToken;
import io.vrouter.provision.keystone.PasswordCredentials;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code auth_strategy = keystone} against a REAL Keystone ({@link KeystoneFixture}: Debian's
 * keystone, SQLite, {@code keystone-manage bootstrap}; one per class), with the config API and
 * {@code provision_linklocal} wired exactly as an operator would (INI files with Contrail's
 * {@code [KEYSTONE]} keys).
 *
 * <p>Keystone's tokens live {@value #TOKEN_LIFETIME_S} s here, so the expiry test sees a real
 * expiry, and the config API's own service token is renewed several times during the class.
 */
@Timeout(120)
class KeystoneAuthApiTest {
    static final int TOKEN_LIFETIME_S = 20;

    private static KeystoneFixture keystone;
    private static PasswordCredentials admin;
    private static PasswordCredentials reader;
    private static PasswordCredentials member;
    private static PasswordCredentials noRole;
    private static final List<AutoCloseable> OPEN = new ArrayList<>();
    private static Path dir;
    /** token_cache_time = 300 (the default): validations reused until the token expires. */
    private static ConfigApiMain.Running api;
    /** token_cache_time = 1: a revoked token is refused after a second. */
    private static ConfigApiMain.Running shortCacheApi;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path tmp;

    @BeforeAll
    @Timeout(300)
    static void startKeystoneAndConfigApis() throws Exception {
        keystone = KeystoneFixture.start(TOKEN_LIFETIME_S);
        System.err.println("Keystone fixture serving at " + keystone.v3Url() + " after " + keystone.startMillis() + " ms");
        dir = Files.createTempDirectory("keystone-api-test-");
        admin = keystone.createUser("ll-admin", "pw-" + UUID.randomUUID(), "vrouter", "admin");
        reader = keystone.createUser("ll-reader", "pw-" + UUID.randomUUID(), "vrouter", "reader");
        member = keystone.createUser("ll-member", "pw-" + UUID.randomUUID(), "vrouter", "member");
        noRole = keystone.createUser("ll-observer", "pw-" + UUID.randomUUID(), "vrouter", "observer");
        PasswordCredentials service = keystone.createUser("config-api", "pw-" + UUID.randomUUID(), "service", "admin");
        api = startApi("api.conf", service, null);
        shortCacheApi = startApi("api-short.conf", service, 1);
    }

    /** A config API as contrail-api.conf would configure it: [DEFAULTS] auth_strategy, [KEYSTONE] auth_host/port/protocol. */
    private static ConfigApiMain.Running startApi(String name, PasswordCredentials service, Integer cacheTimeS)
            throws Exception {
        Path ini = dir.resolve(name);
        Files.writeString(ini, "[DEFAULTS]\nlisten_ip = 127.0.0.1\nlisten_port = 0\nstore = memory:\nauth_strategy = keystone\n"
                + "[KEYSTONE]\nauth_protocol = http\nauth_host = 127.0.0.1\nauth_port = " + keystone.v3Url().getPort() + "\n"
                + "admin_user = " + service.user() + "\nadmin_password = " + service.password() + "\n"
                + "admin_tenant_name = " + service.project() + "\nmemcache_servers = 127.0.0.1:11211\n"
                + (cacheTimeS == null ? "" : "token_cache_time = " + cacheTimeS + "\n"));
        ConfigApiMain.Running r = ConfigApiMain.start(resolve("-c", ini.toString()));
        OPEN.add(r);
        return r;
    }

    private static ConfigApiMain.Settings resolve(String... args) {
        ConfigApiMain m = new ConfigApiMain();
        ConfigApiMain.commandLine(m).parseArgs(args);
        return m.resolve();
    }

    @AfterAll
    static void stopAll() throws Exception {
        for (AutoCloseable c : OPEN) {
            c.close();
        }
        if (keystone != null) {
            keystone.close();
        }
        if (dir != null) {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static URI base(ConfigApiMain.Running r) {
        return URI.create("http://127.0.0.1:" + r.server().port());
    }

    private static String token(PasswordCredentials c) throws Exception {
        return keystone.client().issue(c).id();
    }

    private HttpResponse<String> list(ConfigApiMain.Running r, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(r) + "/global-vrouter-configs"))
                .timeout(Duration.ofSeconds(60));
        if (token != null) {
            b.header("X-Auth-Token", token);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Reads the config and writes it back (a real PUT with If-Match) with {@code token}. */
    private static long readAndWrite(ConfigApiMain.Running r, String token) throws Exception {
        ConfigApiClient c = ConfigApiClient.withAuthToken(
                new ConfigApiEndpoint(base(r), null, null, null, false, Duration.ofSeconds(60)), token);
        String uuid = c.uuid();
        VersionedConfig v = c.read(uuid);
        return c.write(uuid, v.revision(), v.config());
    }

    @Test
    void anAdminTokenShouldReadAndWrite() throws Exception {
        String t = token(admin);
        assertEquals(200, list(api, t).statusCode());
        ConfigApiClient c = ConfigApiClient.withAuthToken(ConfigApiEndpoint.of(base(api), null, null), t);
        long before = c.read(c.uuid()).revision();
        assertTrue(readAndWrite(api, t) > before);
    }

    @Test
    void aReaderOrMemberTokenShouldReadButGet403OnWrite() throws Exception {
        for (PasswordCredentials who : List.of(reader, member)) {
            String t = token(who);
            assertEquals(200, list(api, t).statusCode(), who.user());
            ConfigApiException e = assertThrows(ConfigApiException.class, () -> readAndWrite(api, t));
            assertEquals(ConfigApiException.Kind.FORBIDDEN, e.kind(), who.user() + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(who.user()), e.getMessage());
        }
    }

    @Test
    void noTokenAnInvalidTokenOrBasicAuthShouldGet401WithAKeystoneChallenge() throws Exception {
        HttpResponse<String> none = list(api, null);
        assertEquals(401, none.statusCode());
        assertEquals("Keystone uri=\"" + keystone.v3Url() + "\"", none.headers().firstValue("WWW-Authenticate").orElse(""));
        assertEquals(401, list(api, "gAAAAABnot-a-real-fernet-token").statusCode());
        HttpResponse<String> basic = http.send(HttpRequest.newBuilder(URI.create(base(api) + "/global-vrouter-configs"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        (admin.user() + ":" + admin.password()).getBytes(StandardCharsets.UTF_8)))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, basic.statusCode());
    }

    @Test
    void aTokenWithoutAdminMemberOrReaderShouldGet401() throws Exception {
        assertEquals(401, list(api, token(noRole)).statusCode());
    }

    @Test
    @Timeout(180)
    void anExpiredTokenShouldGet401AtItsExpiryEvenWithALongCacheTime() throws Exception {
        KeystoneToken t = keystone.client().issue(admin);
        assertEquals(200, list(api, t.id()).statusCode()); // cached now, for up to 300 s
        long waitMs = Duration.between(Instant.now(), t.expiresAt()).toMillis() + 1500;
        Thread.sleep(Math.max(0, waitMs));
        assertEquals(401, list(api, t.id()).statusCode(), "expired at " + t.expiresAt());
        // The config API's own token expired meanwhile too; it renews it.
        assertEquals(200, list(api, token(admin)).statusCode());
    }

    @Test
    void aRevokedTokenShouldGet401OnceTheCacheTimeHasPassed() throws Exception {
        String t = token(admin);
        assertEquals(200, list(shortCacheApi, t).statusCode());
        assertEquals(200, list(api, t).statusCode());
        keystone.client().revoke(t, t);
        Thread.sleep(1500);
        assertEquals(401, list(shortCacheApi, t).statusCode(), "token_cache_time = 1 s");
        // The documented revocation window: with token_cache_time = 300 the validation is reused.
        assertEquals(200, list(api, t).statusCode(), "still inside the 300 s revocation window");
    }

    @Test
    void wrongServiceCredentialsShouldStopTheConfigApiAtStart() throws Exception {
        Path ini = tmp.resolve("bad.conf");
        Files.writeString(ini, "[DEFAULTS]\nlisten_port = 0\nstore = memory:\nauth_strategy = keystone\n"
                + "[KEYSTONE]\nauth_url = " + keystone.v3Url() + "\nadmin_user = config-api\n"
                + "admin_password = wrong\nadmin_tenant_name = service\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ConfigApiMain.run(new String[] {"-c", ini.toString()}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String msg = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, msg);
        assertTrue(msg.contains("refused the credentials") && msg.contains("config-api"), msg);
        assertTrue(!msg.contains("wrong"), "never the password: " + msg);
    }

    private record Run(int status, String out, String err) {
    }

    private static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ProvisionLinklocal.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** provision_linklocal's -c file as Contrail's: [DEFAULTS] for the API server, [KEYSTONE] for Keystone. */
    private Path cliConf(String keystoneExtra) throws Exception {
        Path conf = tmp.resolve("provision.ini");
        Files.writeString(conf, "[DEFAULTS]\napi_server_ip = 127.0.0.1\napi_server_port = " + api.server().port() + "\n"
                + "[KEYSTONE]\nauth_host = 127.0.0.1\nauth_port = " + keystone.v3Url().getPort() + "\nauth_protocol = http\n"
                + "insecure = false\n" + keystoneExtra);
        return conf;
    }

    @Test
    void provisionLinklocalShouldAddAnEntryWithAKeystoneTokenFromTheAdminFlags() throws Exception {
        Path conf = cliConf("");
        Run add = cli("-c", conf.toString(), "--admin_user", admin.user(), "--admin_password", admin.password(),
                "--admin_tenant_name", admin.project(), "--oper", "add", "--linklocal_service_name", "ks-metadata",
                "--linklocal_service_ip", "169.254.169.254", "--linklocal_service_port", "80",
                "--ipfabric_service_ip", "10.1.1.5", "--ipfabric_service_port", "8775");
        assertEquals(ExitStatus.OK, add.status(), add.err());
        assertTrue(add.out().startsWith("added"), add.out());
        Run list = cli("-c", conf.toString(), "--admin_user", reader.user(), "--admin_password", reader.password(),
                "--admin_tenant_name", reader.project(), "--oper", "list");
        assertEquals(ExitStatus.OK, list.status(), list.err());
        assertTrue(list.out().contains("ks-metadata") && list.out().contains("10.1.1.5"), list.out());
    }

    @Test
    void provisionLinklocalShouldTakeTheKeystoneCredentialsFromTheConfFile() throws Exception {
        Path conf = cliConf("admin_user = " + admin.user() + "\nadmin_password = " + admin.password()
                + "\nadmin_tenant_name = " + admin.project() + "\n");
        Run add = cli("-c", conf.toString(), "--oper", "add", "--linklocal_service_name", "ks-ntp",
                "--linklocal_service_ip", "169.254.169.123", "--linklocal_service_port", "123",
                "--ipfabric_dns_service_name", "ntp.example.org", "--ipfabric_service_port", "123");
        assertEquals(ExitStatus.OK, add.status(), add.err());
        Run del = cli("-c", conf.toString(), "--oper", "del", "--linklocal_service_name", "ks-ntp");
        assertEquals(ExitStatus.OK, del.status(), del.err());
    }

    @Test
    void provisionLinklocalShouldExitWithTheAuthStatusForAReaderAWrongPasswordOrNoTenant() throws Exception {
        Path conf = cliConf("");
        String[] entry = {"--oper", "add", "--linklocal_service_name", "ks-x", "--linklocal_service_ip", "169.254.1.1",
            "--linklocal_service_port", "80", "--ipfabric_service_ip", "10.1.1.6", "--ipfabric_service_port", "80"};
        Run asReader = cli(concat(new String[] {"-c", conf.toString(), "--admin_user", reader.user(),
            "--admin_password", reader.password(), "--admin_tenant_name", reader.project()}, entry));
        assertEquals(ExitStatus.AUTH, asReader.status(), asReader.err());
        assertTrue(asReader.err().contains("may not change"), asReader.err());
        Run wrong = cli(concat(new String[] {"-c", conf.toString(), "--admin_user", admin.user(),
            "--admin_password", "not-it", "--admin_tenant_name", admin.project()}, entry));
        assertEquals(ExitStatus.AUTH, wrong.status(), wrong.err());
        assertTrue(wrong.err().contains("Keystone") && wrong.err().contains(admin.user()), wrong.err());
        Run noTenant = cli(concat(new String[] {"-c", conf.toString(), "--admin_user", admin.user(),
            "--admin_password", admin.password()}, entry));
        assertEquals(ExitStatus.USAGE, noTenant.status(), noTenant.err());
        assertTrue(noTenant.err().contains("--admin_tenant_name"), noTenant.err());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}

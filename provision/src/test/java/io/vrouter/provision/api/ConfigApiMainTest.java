package io.vrouter.provision.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.provision.auth.CredentialsFile;
import io.vrouter.provision.auth.Role;
import io.vrouter.provision.store.FileConfigStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Flags, the INI file, and one clear line for every bad setting. */
@Timeout(60)
class ConfigApiMainTest {
    @TempDir
    Path tmp;

    private static ConfigApiMain.Settings resolve(String... args) {
        ConfigApiMain m = new ConfigApiMain();
        ConfigApiMain.commandLine(m).parseArgs(args);
        return m.resolve();
    }

    /** Runs main's logic expecting a failure; returns exit status and stderr. */
    private static String[] fail(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = ConfigApiMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {Integer.toString(code), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void defaultsShouldBeLoopback8082AndTheFileStore() {
        ConfigApiMain.Settings s = resolve("--no-auth");
        assertEquals("127.0.0.1", s.listen().getAddress().getHostAddress());
        assertEquals(8082, s.listen().getPort());
        assertEquals(ConfigApiMain.DEFAULT_STORE, s.store());
        assertNull(s.credentialsFile());
        assertTrue(s.noAuth());
        assertNull(s.tlsCert());
    }

    @Test
    void shouldRefuseToStartWithoutCredentialsUnlessNoAuthIsExplicit() throws Exception {
        String[] r = fail("--listen-port", "0", "--store", "memory:");
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("--credentials-file") && r[1].contains("--no-auth"), r[1]);
        Path ini = tmp.resolve("open.conf");
        Files.writeString(ini, "[DEFAULTS]\nno_auth = true\nstore = memory:\n");
        assertTrue(resolve("-c", ini.toString()).noAuth());
        Path bad = tmp.resolve("bad-bool.conf");
        Files.writeString(bad, "[DEFAULTS]\nno_auth = maybe\n");
        assertTrue(fail("-c", bad.toString())[1].contains("key no_auth 'maybe' is not a boolean"));
    }

    @Test
    void flagsShouldOverrideTheIniFile() throws Exception {
        Path ini = tmp.resolve("config-api.conf");
        Files.writeString(ini, "[DEFAULTS]\nlisten_ip = 0.0.0.0\nlisten_port = 9000\nstore = memory:\nno_auth = true\n");
        ConfigApiMain.Settings fromFile = resolve("-c", ini.toString());
        assertEquals("0.0.0.0", fromFile.listen().getAddress().getHostAddress());
        assertEquals(9000, fromFile.listen().getPort());
        assertEquals("memory:", fromFile.store());
        ConfigApiMain.Settings overridden = resolve("-c", ini.toString(), "--listen-port", "9001", "--store", "file:/x");
        assertEquals(9001, overridden.listen().getPort());
        assertEquals("file:/x", overridden.store());
        assertEquals("0.0.0.0", overridden.listen().getAddress().getHostAddress());
    }

    @Test
    void badSettingsShouldFailWithOneClearLine() throws Exception {
        Path ini = tmp.resolve("bad.conf");
        Files.writeString(ini, "[DEFAULTS]\nlisten_prot = 9000\n");
        Path otherSection = tmp.resolve("section.conf");
        Files.writeString(otherSection, "[KEYSTONE]\nadmin_user = x\n");
        String[][] cases = {
            {"--listen-port", "abc"},
            {"--listen-port", "70000"},
            {"--listen-ip", "localhost"},
            {"--bogus"},
            {"--store", "zookeeper:x"},
            {"--store", "etcd:"},
            {"-c", tmp.resolve("missing.conf").toString()},
            {"-c", ini.toString()},
            {"-c", otherSection.toString()},
            {"--tls-cert", ini.toString()},
            {"--credentials-file", tmp.resolve("nope").toString()},
        };
        for (String[] given : cases) {
            // --no-auth so that each case fails for its own reason, not for missing credentials
            String[] args = java.util.Arrays.asList(given).contains("--credentials-file") ? given
                    : java.util.stream.Stream.concat(java.util.Arrays.stream(given), java.util.stream.Stream.of("--no-auth"))
                            .toArray(String[]::new);
            String[] r = fail(args);
            assertEquals("2", r[0], String.join(" ", args) + " -> " + r[1]);
            assertTrue(r[1].startsWith("config-api: "), r[1]);
            assertEquals(1, r[1].strip().lines().count(), "one line: " + r[1]);
        }
    }

    @Test
    void aStoreDirectoryInUseShouldFailToStart() throws Exception {
        Path dir = tmp.resolve("store");
        try (FileConfigStore held = new FileConfigStore(dir)) {
            String[] r = fail("--listen-port", "0", "--store", "file:" + dir, "--no-auth");
            assertEquals("1", r[0], r[1]);
            assertTrue(r[1].contains("in use"), r[1]);
        }
    }

    @Test
    void shouldStartWithTheFileStoreCredentialsAndTls() throws Exception {
        TestCertificates certs = TestCertificates.create(tmp);
        CredentialsFile creds = CredentialsFile.empty();
        creds.put("admin", Role.ADMIN, "pw".toCharArray(), 1000);
        Path credFile = tmp.resolve("users");
        creds.save(credFile);
        Path ini = tmp.resolve("api.conf");
        Files.writeString(ini, "[DEFAULTS]\nlisten_port = 0\nstore = file:" + tmp.resolve("data") + "\n"
                + "credentials_file = " + credFile + "\ntls_cert = " + certs.serverCert() + "\ntls_key = " + certs.serverKey() + "\n");
        try (ConfigApiMain.Running running = ConfigApiMain.start(resolve("-c", ini.toString()))) {
            ApiClient api = new ApiClient("https://127.0.0.1:" + running.server().port(), TlsApiTest.trusting(certs));
            assertEquals(401, api.get("/global-vrouter-configs").status());
            assertEquals(200, api.as("admin", "pw").get("/global-vrouter-configs").status());
        }
        assertTrue(Files.exists(tmp.resolve("data").resolve(FileConfigStore.FILE_NAME)));
    }

    @Test
    void anEmptyCredentialsFileShouldBeRefused() throws Exception {
        Path empty = tmp.resolve("users");
        Files.writeString(empty, "# nobody\n");
        String[] r = fail("--listen-port", "0", "--store", "memory:", "--credentials-file", empty.toString());
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("no users"), r[1]);
    }
}

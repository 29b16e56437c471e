package io.vrouter.provision.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** auth_strategy in config-api's INI file, resolved without a Keystone. */
class KeystoneConfigApiMainTest {
    @TempDir
    Path tmp;

    private ConfigApiMain.Settings resolve(String ini, String... more) throws Exception {
        Path p = tmp.resolve("api.conf");
        Files.writeString(p, ini);
        String[] args = new String[more.length + 2];
        args[0] = "-c";
        args[1] = p.toString();
        System.arraycopy(more, 0, args, 2, more.length);
        ConfigApiMain m = new ConfigApiMain();
        ConfigApiMain.commandLine(m).parseArgs(args);
        return m.resolve();
    }

    private static final String KEYSTONE = "[KEYSTONE]\nauth_host = 127.0.0.1\nauth_port = 5000\nauth_protocol = http\n"
            + "admin_user = api\nadmin_password = pw\nadmin_tenant_name = service\n";

    @Test
    void authStrategyKeystoneShouldReadTheKeystoneSection() throws Exception {
        ConfigApiMain.Settings s = resolve("[DEFAULTS]\nauth_strategy = keystone\nstore = memory:\n" + KEYSTONE);
        assertEquals("http://127.0.0.1:5000/v3", s.keystone().v3Url().toString());
        assertNull(s.credentialsFile());
    }

    @Test
    void theKeystoneSectionAloneShouldNotSwitchBasicAuthOff() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> resolve("[DEFAULTS]\nstore = memory:\n" + KEYSTONE));
        assertTrue(e.getMessage().contains("[KEYSTONE] is only used with auth_strategy = keystone"), e.getMessage());
    }

    @Test
    void badCombinationsShouldGetOneClearLine() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> resolve("[DEFAULTS]\nauth_strategy = keystone\n" + KEYSTONE, "--no-auth"));
        assertTrue(e.getMessage().contains("--no-auth"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> resolve("[DEFAULTS]\nauth_strategy = ldap\n"));
        assertTrue(e.getMessage().contains("'ldap' is not basic or keystone"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> resolve("[DEFAULTS]\nauth_strategy = keystone\n"));
        assertTrue(e.getMessage().contains("[KEYSTONE]") && e.getMessage().contains("auth_url"), e.getMessage());
    }
}

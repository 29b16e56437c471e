package io.vrouter.provision.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswdToolTest {
    @TempDir
    Path tmp;

    private static int run(String stdin, String... args) {
        return PasswdTool.run(args, new BufferedReader(new StringReader(stdin)));
    }

    @Test
    void shouldAddReplaceAndDeleteUsers() throws Exception {
        Path f = tmp.resolve("sub/creds");
        assertEquals(0, run("first\n", "-f", f.toString(), "--password-stdin", "--iterations", "1000", "alice"));
        assertEquals(0, run("ro\n", "-f", f.toString(), "--password-stdin", "--iterations", "1000", "--role", "reader", "bob"));
        assertFalse(Files.readString(f).contains("first"));
        CredentialsFile c = CredentialsFile.load(f);
        assertTrue(c.user("alice").hash().matches("first".toCharArray()));
        assertEquals(Role.READER, c.user("bob").role());

        assertEquals(0, run("second\n", "-f", f.toString(), "--password-stdin", "--iterations", "1000", "alice"));
        assertTrue(CredentialsFile.load(f).user("alice").hash().matches("second".toCharArray()));

        assertEquals(0, run("", "-f", f.toString(), "--delete", "bob"));
        assertNull(CredentialsFile.load(f).user("bob"));
        assertEquals(1, run("", "-f", f.toString(), "--delete", "bob"));
    }

    @Test
    void badInputShouldFailWithoutTouchingTheFile() throws Exception {
        Path f = tmp.resolve("creds");
        assertEquals(2, run("", "alice"), "missing -f");
        assertEquals(1, run("pw\n", "-f", f.toString(), "--password-stdin", "--role", "root", "alice"));
        assertEquals(1, run("\n", "-f", f.toString(), "--password-stdin", "alice"));
        assertEquals(1, run("", "-f", f.toString(), "--password-stdin", "alice"));
        assertEquals(1, run("pw\n", "-f", f.toString(), "--password-stdin", "--iterations", "5", "alice"));
        assertEquals(1, run("pw\n", "-f", f.toString(), "--password-stdin", "--iterations", "1000", "bad:name"));
        assertFalse(Files.exists(f));
    }
}

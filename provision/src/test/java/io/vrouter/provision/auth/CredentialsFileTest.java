package io.vrouter.provision.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsFileTest {
    @TempDir
    Path tmp;

    @Test
    void savedFileShouldHoldSaltedHashesAndNeverThePassword() throws Exception {
        CredentialsFile c = CredentialsFile.empty();
        c.put("admin", Role.ADMIN, "correct-horse".toCharArray(), 1000);
        c.put("agent", Role.READER, "correct-horse".toCharArray(), 1000);
        Path f = tmp.resolve("creds");
        c.save(f);
        String text = Files.readString(f);
        assertFalse(text.contains("correct-horse"), text);
        assertFalse(text.contains(java.util.Base64.getEncoder().encodeToString("correct-horse".getBytes())), text);
        assertTrue(text.contains("admin:admin:pbkdf2-sha256:1000:"), text);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));

        CredentialsFile back = CredentialsFile.load(f);
        assertEquals(Role.READER, back.user("agent").role());
        assertTrue(back.user("admin").hash().matches("correct-horse".toCharArray()));
        // Same password, two users: different salts, so different hashes.
        assertFalse(java.util.Arrays.equals(back.user("admin").hash().hash(), back.user("agent").hash().hash()));
    }

    @Test
    void malformedLinesShouldBeRejectedNamingTheLine() {
        String good = "u:admin:pbkdf2-sha256:1000:AAAAAAAAAAAAAAAAAAAAAA==:"
                + java.util.Base64.getEncoder().encodeToString(new byte[32]);
        for (String bad : List.of("u:admin:pbkdf2-sha256:1000:AAAA", good.replace("u:admin", "u:root"),
                good.replace("pbkdf2-sha256", "md5"), good.replace(":1000:", ":10:"), good.replace(":1000:", ":x:"),
                good.replace("AAAAAAAAAAAAAAAAAAAAAA==", "!!"), "bad user:" + good.substring(2))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CredentialsFile.parse(List.of("# comment", "", bad), "creds"));
            assertTrue(e.getMessage().startsWith("creds line 3: "), e.getMessage());
        }
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> CredentialsFile.parse(List.of(good, good), "creds"));
        assertTrue(twice.getMessage().contains("twice"));
        assertNull(CredentialsFile.parse(List.of(good), "creds").user("v"));
    }
}

package io.vrouter.provision.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BasicAuthenticatorTest {
    private static String basic(String userPass) {
        return "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
    }

    private static BasicAuthenticator auth() {
        CredentialsFile c = CredentialsFile.empty();
        c.put("admin", Role.ADMIN, "pw:with:colons".toCharArray(), 1000);
        c.put("agent", Role.READER, "agentpw".toCharArray(), 1000);
        return new BasicAuthenticator(c);
    }

    @Test
    void goodCredentialsShouldGiveTheUsersRole() {
        BasicAuthenticator a = auth();
        assertEquals(new Principal("admin", Role.ADMIN), a.authenticate(basic("admin:pw:with:colons")));
        assertEquals(new Principal("agent", Role.READER), a.authenticate("basic " + basic("agent:agentpw").substring(6)));
    }

    @Test
    void missingMalformedOrWrongCredentialsShouldBeRejected() {
        BasicAuthenticator a = auth();
        for (String h : new String[] {null, "", "Bearer abc", "Basic !!!", basic("admin"), basic(":pw"),
                basic("admin:wrong"), basic("nobody:agentpw"), basic("agent:")}) {
            assertNull(a.authenticate(h), String.valueOf(h));
        }
    }

    @Test
    void aCachedSuccessShouldNotLetAWrongPasswordThrough() {
        BasicAuthenticator a = auth();
        assertEquals(Role.READER, a.authenticate(basic("agent:agentpw")).role());
        assertEquals(1, a.cachedUsers());
        assertNull(a.authenticate(basic("agent:agentpw2")));
        assertEquals(Role.READER, a.authenticate(basic("agent:agentpw")).role());
    }

    @Test
    void aChangedCredentialsFileShouldTakeEffectWithoutRestartAndDropCachedPasswords() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("creds-test");
        try {
            java.nio.file.Path f = dir.resolve("users");
            CredentialsFile c = CredentialsFile.empty();
            c.put("alice", Role.ADMIN, "old".toCharArray(), 1000);
            c.save(f);
            BasicAuthenticator a = BasicAuthenticator.watching(f, 0);
            assertEquals(Role.ADMIN, a.authenticate(basic("alice:old")).role());
            assertNull(a.authenticate(basic("bob:bobpw")));

            c.put("alice", Role.ADMIN, "new".toCharArray(), 1000);
            c.put("bob", Role.READER, "bobpw".toCharArray(), 1000);
            c.save(f);
            assertNull(a.authenticate(basic("alice:old")), "a cached old password must stop working");
            assertEquals(Role.ADMIN, a.authenticate(basic("alice:new")).role());
            assertEquals(Role.READER, a.authenticate(basic("bob:bobpw")).role());

            java.nio.file.Files.writeString(f, "garbage line\n");
            assertEquals(Role.READER, a.authenticate(basic("bob:bobpw")).role(), "a broken file keeps the users before");
        } finally {
            try (java.util.stream.Stream<java.nio.file.Path> w = java.nio.file.Files.walk(dir)) {
                w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}

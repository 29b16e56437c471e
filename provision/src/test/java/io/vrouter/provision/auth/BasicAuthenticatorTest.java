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
}

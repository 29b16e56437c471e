package io.vrouter.provision.keystone;

import java.util.Optional;

/** Asks Keystone what a token is worth. Implementations may block (one HTTP round trip). */
@FunctionalInterface
public interface TokenValidator {
    /**
     * @param subjectToken the token a client presented ({@code X-Auth-Token})
     * @return the token's details, or empty when Keystone does not know it (invalid, expired, revoked)
     * @throws KeystoneException when Keystone cannot say (unreachable, our own credentials refused)
     */
    Optional<KeystoneToken> validate(String subjectToken) throws KeystoneException;
}

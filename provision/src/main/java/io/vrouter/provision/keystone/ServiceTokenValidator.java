package io.vrouter.provision.keystone;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates client tokens with the service's own token, as keystonemiddleware does: the
 * service logs in with its {@code [KEYSTONE]} credentials, keeps that token, and sends it as
 * {@code X-Auth-Token} next to the client's {@code X-Subject-Token}.
 *
 * <p>The service token is renewed when three quarters of its lifetime have passed, and at once
 * (one retry) when Keystone refuses it (revoked, Keystone's keys rotated). Thread-safe: the
 * renewal is serialised; validations run concurrently.
 */
public final class ServiceTokenValidator implements TokenValidator {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceTokenValidator.class);

    private final KeystoneClient client;
    private final PasswordCredentials credentials;
    private final InstantSource clock;
    private KeystoneToken serviceToken;
    private Instant renewAt = Instant.MIN;

    public ServiceTokenValidator(KeystoneClient client, PasswordCredentials credentials, InstantSource clock) {
        this.client = client;
        this.credentials = credentials;
        this.clock = clock;
    }

    @Override
    public Optional<KeystoneToken> validate(String subjectToken) throws KeystoneException {
        String own = serviceToken(false);
        try {
            return client.validate(own, subjectToken);
        } catch (KeystoneException e) {
            if (e.kind() != KeystoneException.Kind.UNAUTHORIZED) {
                throw e;
            }
            LOG.info("Keystone refused the config API's own token; logging in again as {}", credentials);
            return client.validate(serviceToken(true), subjectToken);
        }
    }

    /** Logs in now (start-up check: wrong service credentials stop the server, not the first request). */
    public KeystoneToken login() throws KeystoneException {
        serviceToken(true);
        synchronized (this) {
            return serviceToken;
        }
    }

    private synchronized String serviceToken(boolean force) throws KeystoneException {
        Instant now = clock.instant();
        if (force || serviceToken == null || !now.isBefore(renewAt)) {
            KeystoneToken t = client.issue(credentials);
            Duration life = Duration.between(now, t.expiresAt());
            serviceToken = t;
            renewAt = life.isNegative() ? now : now.plus(life.multipliedBy(3).dividedBy(4));
            LOG.debug("service token for {} valid until {}", credentials, t.expiresAt());
        }
        return serviceToken.id();
    }
}

package io.vrouter.provision.cli;

import io.vrouter.linklocal.configclient.ConfigApiClient;
import io.vrouter.linklocal.configclient.ConfigApiEndpoint;
import io.vrouter.provision.keystone.KeystoneException;
import io.vrouter.provision.keystone.KeystoneSettings;
import io.vrouter.provision.keystone.KeystoneToken;
import java.io.IOException;
import java.nio.file.Path;

/**
 * How {@code provision_linklocal} authenticates, as Contrail's does: when the {@code -c} file's
 * {@code [KEYSTONE]} section names Keystone ({@code auth_url}, or {@code auth_host} with
 * {@code auth_protocol} / {@code auth_port}), it logs in there with
 * {@code --admin_user/--admin_password/--admin_tenant_name} (flags over the file) and sends the
 * token as {@code X-Auth-Token}; otherwise it sends the same user and password as HTTP Basic.
 *
 * <p>Keystone failures map to the exit statuses: credentials refused → {@link ExitStatus#AUTH},
 * Keystone unreachable → {@link ExitStatus#UNREACHABLE}, a missing user/password/tenant →
 * {@link ExitStatus#USAGE}.
 */
final class KeystoneLogin {
    private KeystoneLogin() {
    }

    /** The config API client to use for this run. */
    static ConfigApiClient client(ConfigApiEndpoint endpoint, Path confFile, Settings s)
            throws IOException, Provisioner.Failure {
        KeystoneSettings ks;
        try {
            ks = KeystoneSettings.forClient(confFile, s.adminUser(), s.adminPassword(), s.adminTenantName());
        } catch (IllegalArgumentException e) {
            throw new Provisioner.Failure(ExitStatus.USAGE, e.getMessage() + " (see --help)");
        }
        if (ks == null) {
            return new ConfigApiClient(endpoint);
        }
        KeystoneToken token;
        try {
            token = ks.client().issue(ks.credentials());
        } catch (KeystoneException e) {
            int status = switch (e.kind()) {
                case UNAUTHORIZED, FORBIDDEN -> ExitStatus.AUTH;
                case UNAVAILABLE -> ExitStatus.UNREACHABLE;
                case PROTOCOL -> ExitStatus.SERVER_ERROR;
            };
            throw new Provisioner.Failure(status, e.getMessage()
                    + (status == ExitStatus.AUTH ? ": check --admin_user/--admin_password/--admin_tenant_name" : ""));
        }
        return ConfigApiClient.withAuthToken(endpoint, token.id());
    }
}

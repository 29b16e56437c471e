package io.vrouter.provision.cli;

import io.vrouter.linklocal.configclient.ConfigApiTestServer;
import io.vrouter.linklocal.configclient.ConfigWatchClientContract;

/** The agents' watch client contract against the real config API server. */
class ConfigWatchClientRealServerTest extends ConfigWatchClientContract {
    @Override
    protected ConfigApiTestServer startServer() throws Exception {
        return new RealServerFixture();
    }
}

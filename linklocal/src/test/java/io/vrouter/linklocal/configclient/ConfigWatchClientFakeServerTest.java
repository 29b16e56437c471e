package io.vrouter.linklocal.configclient;

/** The watch client contract on the in-memory fake config API. */
class ConfigWatchClientFakeServerTest extends ConfigWatchClientContract {
    @Override
    protected ConfigApiTestServer startServer() throws Exception {
        return new FakeConfigApi().start();
    }
}

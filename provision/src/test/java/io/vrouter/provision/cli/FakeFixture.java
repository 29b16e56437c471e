package io.vrouter.provision.cli;

import io.vrouter.linklocal.configclient.FakeConfigApi;
import java.net.URI;

/** {@link ConfigApiFixture} on the linklocal test-jar's in-memory fake. */
final class FakeFixture implements ConfigApiFixture {
    final FakeConfigApi fake;

    FakeFixture() throws Exception {
        fake = new FakeConfigApi().start();
    }

    @Override
    public URI baseUri() {
        return fake.baseUri();
    }

    @Override
    public String adminUser() {
        return FakeConfigApi.ADMIN;
    }

    @Override
    public String adminPassword() {
        return FakeConfigApi.ADMIN_PASSWORD;
    }

    @Override
    public String readerUser() {
        return FakeConfigApi.READER;
    }

    @Override
    public String readerPassword() {
        return FakeConfigApi.READER_PASSWORD;
    }

    @Override
    public void stop() {
        fake.stop();
    }

    @Override
    public void restart() throws Exception {
        fake.start();
    }

    @Override
    public void forceLinklocalServices(String json) throws Exception {
        fake.forceLinklocalServices(json);
    }

    @Override
    public void close() {
        fake.close();
    }
}

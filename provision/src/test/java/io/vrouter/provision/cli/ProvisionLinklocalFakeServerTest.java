package io.vrouter.provision.cli;

import io.vrouter.linklocal.configclient.ConfigApiTestServer;
import io.vrouter.linklocal.configclient.FakeConfigApi;

import org.junit.jupiter.api.Test;

/** The contract suite on the in-memory fake, plus what only the fake can stage. */
class ProvisionLinklocalFakeServerTest extends ProvisionLinklocalContractTest {
    @Override
    ConfigApiTestServer startServer() throws Exception {
        return new FakeConfigApi().start();
    }

    @Test
    void theServersFieldErrorsShouldBePrinted() {
        ((FakeConfigApi) server).rejectNextWrite("linklocal_service_entry[0].linklocal_service_name", "reserved name");
        add("metadata", "169.254.169.254", 80, "10.0.0.5")
                .assertFails(ExitStatus.INVALID, "linklocal_service_entry[0].linklocal_service_name: reserved name");
    }
}

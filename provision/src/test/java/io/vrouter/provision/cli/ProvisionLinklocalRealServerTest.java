package io.vrouter.provision.cli;

import io.vrouter.linklocal.configclient.ConfigApiTestServer;

import io.vrouter.linklocal.config.VersionedConfig;

import io.vrouter.linklocal.config.FieldError;
import io.vrouter.linklocal.config.LinkLocalJson;
import io.vrouter.linklocal.configclient.ConfigApiClient;
import io.vrouter.linklocal.configclient.ConfigApiException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import org.junit.jupiter.api.Test;

/** The contract suite on the real config API server, plus the server's own 400 field errors. */
class ProvisionLinklocalRealServerTest extends ProvisionLinklocalContractTest {
    @Override
    ConfigApiTestServer startServer() throws Exception {
        return new RealServerFixture();
    }

    @Test
    void theServerShouldRejectWhatTheClientWouldWithTheSameFieldPath() throws Exception {
        // The CLI never sends an invalid list; this checks the other half of the contract the CLI
        // relies on to print the server's errors: a 400 with field_errors named like the validator's.
        ConfigApiClient api = new ConfigApiClient(server.adminEndpoint());
        String uuid = api.uuid();
        VersionedConfig cur = api.read(uuid);
        ConfigApiException e = assertThrows(ConfigApiException.class, () -> api.write(uuid, cur.revision(),
                LinkLocalJson.mapper().readValue("{\"linklocal_services\": {\"linklocal_service_entry\": [{"
                        + "\"linklocal_service_name\": \"metadata\", \"linklocal_service_ip\": \"169.254.169.254\","
                        + " \"linklocal_service_port\": 70000, \"ip_fabric_service_ip\": [\"10.0.0.5\"],"
                        + " \"ip_fabric_service_port\": 8775}]}}", io.vrouter.linklocal.config.GlobalVrouterConfig.class)));
        assertEquals(ConfigApiException.Kind.INVALID, e.kind());
        assertEquals(new FieldError("linklocal_service_entry[0].linklocal_service_port", "70000 is outside 1-65535"),
                e.fieldErrors().get(0));
        assertEquals(ExitStatus.INVALID, ProvisionLinklocal.statusOf(e));
    }
}

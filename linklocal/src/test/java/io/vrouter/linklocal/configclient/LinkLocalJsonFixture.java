package io.vrouter.linklocal.configclient;

import io.vrouter.linklocal.config.ConfigValidationException;
import io.vrouter.linklocal.config.GlobalVrouterConfig;
import io.vrouter.linklocal.config.LinkLocalJson;

/** Config objects shared by the client tests. */
final class LinkLocalJsonFixture {
    private LinkLocalJsonFixture() {
    }

    static GlobalVrouterConfig withOtherProperty() {
        try {
            return LinkLocalJson.parseGlobalVrouterConfig("{\"uuid\": \"u-1\", \"encapsulation_priorities\":"
                    + " {\"encapsulation\": [\"VXLAN\", \"MPLSoUDP\"]}, \"linklocal_services\":"
                    + " {\"linklocal_service_entry\": []}}");
        } catch (ConfigValidationException e) {
            throw new AssertionError(e);
        }
    }
}

package io.vrouter.provision.store;

import com.fasterxml.jackson.databind.node.IntNode;
import io.vrouter.linklocal.config.GlobalVrouterConfig;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import java.util.List;
import java.util.UUID;

/** Config values for store tests. */
final class StoreFixtures {
    private StoreFixtures() {
    }

    static GlobalVrouterConfig empty() {
        return new GlobalVrouterConfig(UUID.randomUUID().toString(), GlobalVrouterConfig.DEFAULT_FQ_NAME,
                LinkLocalServices.EMPTY);
    }

    static LinkLocalServiceEntry metadata(String fabricIp) {
        return new LinkLocalServiceEntry("metadata", "169.254.169.254", 80, null, 8775, List.of(fabricIp));
    }

    /** {@code base} with one metadata entry and an other property {@code counter = n}. */
    static GlobalVrouterConfig withCounter(GlobalVrouterConfig base, int n) {
        GlobalVrouterConfig c = base.withLinklocalServices(new LinkLocalServices(List.of(metadata("10.0.0." + (n % 250 + 1)))));
        c.otherProperties().put("counter", IntNode.valueOf(n));
        return c;
    }

    static int counter(GlobalVrouterConfig c) {
        return c.otherProperties().containsKey("counter") ? c.otherProperties().get("counter").asInt() : 0;
    }
}

package io.vrouter.provision.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.IntNode;
import io.vrouter.linklocal.config.GlobalVrouterConfig;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one-line audit summary of a write. */
class ConfigDiffTest {
    private static final LinkLocalServiceEntry META =
            new LinkLocalServiceEntry("metadata", "169.254.169.254", 80, null, 8775, List.of("10.0.0.5"));
    private static final LinkLocalServiceEntry META_MOVED =
            new LinkLocalServiceEntry("metadata", "169.254.169.254", 80, null, 8775, List.of("10.0.0.6"));
    private static final LinkLocalServiceEntry NTP =
            new LinkLocalServiceEntry("ntp", "169.254.0.123", 123, "ntp.example", 123, null);

    private static GlobalVrouterConfig config(LinkLocalServiceEntry... entries) {
        return new GlobalVrouterConfig("u", GlobalVrouterConfig.DEFAULT_FQ_NAME, new LinkLocalServices(List.of(entries)));
    }

    @Test
    void shouldNameAddedChangedAndRemovedEntriesAndChangedProperties() {
        GlobalVrouterConfig after = config(META_MOVED);
        after.otherProperties().put("flow_export_rate", IntNode.valueOf(5));
        assertEquals("~metadata 169.254.169.254:80 -> 10.0.0.5:8775 => metadata 169.254.169.254:80 -> 10.0.0.6:8775; "
                + "-ntp; properties changed [flow_export_rate]", ConfigDiff.summarize(config(META, NTP), after));
        assertEquals("+ntp 169.254.0.123:123 -> ntp.example:123", ConfigDiff.summarize(config(META), config(META, NTP)));
        assertEquals("no change", ConfigDiff.summarize(config(META), config(META)));
    }
}

package io.vrouter.linklocal.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * One {@code linklocal_service_entry} of {@code global-vrouter-config}, field names as in
 * Tungsten Fabric's {@code vnc_cfg.xsd}. Integers are boxed so that a missing field is told
 * apart from zero by the validator; nothing here is trusted before validation.
 *
 * <p>There is no protocol field: an entry applies to TCP and UDP on its port.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LinkLocalServiceEntry(
        @JsonProperty("linklocal_service_name") String name,
        @JsonProperty("linklocal_service_ip") String serviceIp,
        @JsonProperty("linklocal_service_port") Integer servicePort,
        @JsonProperty("ip_fabric_DNS_service_name") String fabricDnsName,
        @JsonProperty("ip_fabric_service_port") Integer fabricPort,
        @JsonProperty("ip_fabric_service_ip") List<String> fabricIps) {

    public LinkLocalServiceEntry {
        // Nulls kept for the validator to name (List.copyOf would throw a bare NPE).
        fabricIps = fabricIps == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(fabricIps));
        if (fabricDnsName != null && fabricDnsName.isBlank()) {
            fabricDnsName = null; // the UI and provision_linklocal send "" for "no DNS name"
        }
    }

    /** Entries whose name contains {@code metadata} are served by the agent's metadata proxy. */
    @JsonIgnore
    public boolean isMetadata() {
        return name != null && name.toLowerCase(Locale.ROOT).contains("metadata");
    }

    /** True when the fabric side is a DNS name to resolve rather than a list of IPs. */
    @JsonIgnore
    public boolean usesDns() {
        return fabricDnsName != null;
    }

    /** Human form for logs and the CLI: {@code metadata 169.254.169.254:80 -> [10.0.0.5]:8775}. */
    @Override
    public String toString() {
        String fabric = usesDns() ? fabricDnsName : String.join(",", fabricIps);
        return name + " " + serviceIp + ":" + servicePort + " -> " + fabric + ":" + fabricPort;
    }
}

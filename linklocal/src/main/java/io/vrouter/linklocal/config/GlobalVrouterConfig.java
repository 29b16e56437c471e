package io.vrouter.linklocal.config;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code global-vrouter-config} object as the VNC API shapes it. Properties this project
 * does not interpret (encapsulation priorities, flow export rate, ...) are kept verbatim in
 * {@link #otherProperties()} so that a read-modify-write never drops them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class GlobalVrouterConfig {

    /** The fq_name every Contrail deployment uses for the single instance of this object. */
    public static final List<String> DEFAULT_FQ_NAME =
            List.of("default-global-system-config", "default-global-vrouter-config");

    private final String uuid;
    private final List<String> fqName;
    private final LinkLocalServices linklocalServices;
    private final Map<String, JsonNode> otherProperties = new LinkedHashMap<>();

    @JsonCreator
    public GlobalVrouterConfig(
            @JsonProperty("uuid") String uuid,
            @JsonProperty("fq_name") List<String> fqName,
            @JsonProperty("linklocal_services") LinkLocalServices linklocalServices) {
        this.uuid = uuid;
        this.fqName = fqName == null ? DEFAULT_FQ_NAME : List.copyOf(fqName);
        this.linklocalServices = linklocalServices == null ? LinkLocalServices.EMPTY : linklocalServices;
    }

    @JsonProperty("uuid")
    public String uuid() {
        return uuid;
    }

    @JsonProperty("fq_name")
    public List<String> fqName() {
        return fqName;
    }

    @JsonProperty("linklocal_services")
    public LinkLocalServices linklocalServices() {
        return linklocalServices;
    }

    @JsonAnyGetter
    public Map<String, JsonNode> otherProperties() {
        return otherProperties;
    }

    @JsonAnySetter
    void otherProperty(String name, JsonNode value) {
        otherProperties.put(name, value);
    }

    /** A copy with other link-local services and everything else unchanged. */
    public GlobalVrouterConfig withLinklocalServices(LinkLocalServices services) {
        GlobalVrouterConfig copy = new GlobalVrouterConfig(uuid, fqName, services);
        copy.otherProperties.putAll(otherProperties);
        return copy;
    }

    public GlobalVrouterConfig withUuid(String newUuid) {
        GlobalVrouterConfig copy = new GlobalVrouterConfig(newUuid, fqName, linklocalServices);
        copy.otherProperties.putAll(otherProperties);
        return copy;
    }
}

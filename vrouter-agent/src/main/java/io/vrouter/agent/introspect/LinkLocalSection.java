package io.vrouter.agent.introspect;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.vrouter.linklocal.registry.RegistryStats;

/**
 * {@code /stats/linklocal}: where the services come from and the registry's counters.
 *
 * @param source    the agent's {@code LinkLocalSource}, e.g. {@code config-api http://10.0.0.2:8082}
 * @param registry  the registry's counters
 * @param configApi the config API watch's counters; absent for the other sources
 */
public record LinkLocalSection(String source, RegistryStats registry,
                               @JsonProperty("config_api") @JsonInclude(JsonInclude.Include.NON_NULL) Object configApi) {
}

package io.vrouter.linklocal.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The {@code linklocal_services} property: {@code {"linklocal_service_entry": [ ... ]}}. */
public record LinkLocalServices(
        @JsonProperty("linklocal_service_entry") List<LinkLocalServiceEntry> entries) {

    public static final LinkLocalServices EMPTY = new LinkLocalServices(List.of());

    public LinkLocalServices {
        entries = entries == null ? List.of() : List.copyOf(entries);
    }
}

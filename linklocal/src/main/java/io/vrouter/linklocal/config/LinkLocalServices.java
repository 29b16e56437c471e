package io.vrouter.linklocal.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The {@code linklocal_services} property: {@code {"linklocal_service_entry": [ ... ]}}. */
public record LinkLocalServices(
        @JsonProperty("linklocal_service_entry") List<LinkLocalServiceEntry> entries) {

    public static final LinkLocalServices EMPTY = new LinkLocalServices(List.of());

    public LinkLocalServices {
        // Not List.copyOf: a null element (JSON "[null]") must reach the validator, which names
        // it, instead of failing here with a bare NullPointerException.
        entries = entries == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(entries));
    }
}

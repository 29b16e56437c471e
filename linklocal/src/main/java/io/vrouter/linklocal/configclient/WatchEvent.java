package io.vrouter.linklocal.configclient;

import io.vrouter.linklocal.config.FieldError;
import io.vrouter.linklocal.config.GlobalVrouterConfig;
import java.util.List;

/**
 * One answer of the watch endpoint: the object at {@code revision}, or, when the stored object
 * fails the shared validator, {@code config == null} and the {@code errors} that rejected it.
 */
public record WatchEvent(long revision, GlobalVrouterConfig config, List<FieldError> errors) {
    public WatchEvent {
        errors = List.copyOf(errors);
    }

    public boolean valid() {
        return config != null;
    }
}

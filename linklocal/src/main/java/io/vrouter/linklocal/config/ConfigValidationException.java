package io.vrouter.linklocal.config;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown when link-local config is rejected; carries every field error, not just the first. */
public final class ConfigValidationException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<FieldError> errors;

    public ConfigValidationException(List<FieldError> errors) {
        super(errors.stream().map(FieldError::toString).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}

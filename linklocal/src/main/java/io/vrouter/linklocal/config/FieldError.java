package io.vrouter.linklocal.config;

/**
 * One validation failure, located by a JSON path such as
 * {@code linklocal_service_entry[2].linklocal_service_port}.
 */
public record FieldError(String field, String message) {
    @Override
    public String toString() {
        return field + ": " + message;
    }
}

package io.vrouter.plumbing.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one error body of every endpoint of every server:
 * {@code {"status": 400, "error": "...", "field_errors": {"<field>": "<message>"}}}, the
 * {@code field_errors} object present only when a request had field-level errors.
 *
 * @param status      the HTTP status, repeated so a logged body stands on its own
 * @param error       one line for a human
 * @param fieldErrors message by field (a JSON path such as {@code linklocal_service_entry[0].linklocal_service_port}),
 *                    in the order found; never null
 */
public record ErrorBody(
        @JsonProperty("status") int status,
        @JsonProperty("error") String error,
        @JsonProperty("field_errors") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> fieldErrors) {

    public ErrorBody {
        fieldErrors = fieldErrors == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(fieldErrors));
    }

    /**
     * Reads an error answer on the client side.
     *
     * @param status the response's status, used when the body does not carry one
     * @param body   the parsed body, or null when it was not JSON
     * @return the body's fields; {@code error} is {@code "HTTP <status>"} when the body has none
     */
    public static ErrorBody read(int status, JsonNode body) {
        if (body == null || !body.isObject()) {
            return new ErrorBody(status, "HTTP " + status, Map.of());
        }
        String error = body.path("error").isTextual() ? body.path("error").asText() : "HTTP " + status;
        Map<String, String> fields = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = body.path("field_errors").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            fields.put(f.getKey(), f.getValue().asText("?"));
        }
        return new ErrorBody(body.path("status").asInt(status), error, fields);
    }
}

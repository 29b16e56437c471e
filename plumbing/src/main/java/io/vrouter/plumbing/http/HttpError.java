package io.vrouter.plumbing.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An answer other than success, thrown by a {@link Handler}: the server writes it as an
 * {@link ErrorBody} with this status, plus any headers added here ({@code Allow},
 * {@code WWW-Authenticate}, {@code Retry-After}...).
 */
public final class HttpError extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Map<String, String> fieldErrors = new LinkedHashMap<>();
    private final transient Map<String, String> headers = new LinkedHashMap<>();

    public HttpError(int status, String message) {
        super(message, null, false, false); // an answer, not a failure: no stack trace to fill
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an error status is 4xx or 5xx, not " + status);
        }
        this.status = status;
    }

    /** 400 naming one field: the message is {@code "<field> <message>"}. */
    public static HttpError badField(String field, String message) {
        return new HttpError(400, field + " " + message).field(field, message);
    }

    /** Adds a field-level error; a second message for the same field is appended after "; ". */
    public HttpError field(String field, String message) {
        fieldErrors.merge(field, message, (a, b) -> a + "; " + b);
        return this;
    }

    /** Adds a response header. */
    public HttpError header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    /** Message by field, in the order added. */
    public Map<String, String> fieldErrors() {
        return Collections.unmodifiableMap(fieldErrors);
    }

    /** The answer this error is written as. */
    public Response toResponse() {
        Response r = Response.of(status, new ErrorBody(status, getMessage(), fieldErrors));
        for (Map.Entry<String, String> h : headers.entrySet()) {
            r = r.withHeader(h.getKey(), h.getValue());
        }
        return r;
    }
}

package io.vrouter.linklocal.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.Collection;
import java.util.List;

/**
 * Reads and writes link-local config JSON. Parsing is strict inside the link-local part (an
 * unknown field in an entry is an error naming it: a typo must not silently drop a setting)
 * and lenient for the other properties of {@code global-vrouter-config}, which are kept.
 * Every successful parse has also passed {@link LinkLocalValidator}.
 */
public final class LinkLocalJson {
    // A repeated key would silently keep the last value, a fractional port would be truncated
    // (8775.9 -> 8775): both are typos to report, not to guess at.
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private LinkLocalJson() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Parses and validates a whole {@code global-vrouter-config} object. */
    public static GlobalVrouterConfig parseGlobalVrouterConfig(String json) throws ConfigValidationException {
        GlobalVrouterConfig config = read(json, GlobalVrouterConfig.class);
        requireValid(config.linklocalServices());
        return config;
    }

    /** Parses and validates a {@code linklocal_services} value. */
    public static LinkLocalServices parseLinkLocalServices(String json) throws ConfigValidationException {
        LinkLocalServices services = read(json, LinkLocalServices.class);
        requireValid(services);
        return services;
    }

    public static void requireValid(LinkLocalServices services) throws ConfigValidationException {
        List<FieldError> errors = LinkLocalValidator.validate(services);
        if (!errors.isEmpty()) {
            throw new ConfigValidationException(errors);
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    private static <T> T read(String json, Class<T> type) throws ConfigValidationException {
        if (json == null || json.isBlank()) {
            throw new ConfigValidationException(List.of(new FieldError("(document)", "is empty")));
        }
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new ConfigValidationException(List.of(new FieldError("(document)", "is null")));
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigValidationException(List.of(new FieldError(path(e),
                    "unknown field (expected one of " + e.getKnownPropertyIds() + ")")));
        } catch (MismatchedInputException e) {
            Class<?> target = e.getTargetType();
            if (target != null && Collection.class.isAssignableFrom(target)) {
                // Contrail's schema makes these lists; a bare value is a common hand-written slip.
                throw new ConfigValidationException(List.of(new FieldError(path(e),
                        "must be a list (a JSON array such as [\"10.0.0.5\"]), not a single value")));
            }
            throw new ConfigValidationException(List.of(new FieldError(path(e), e.getOriginalMessage())));
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof StreamReadException syntax) {
                throw malformed(syntax);
            }
            throw new ConfigValidationException(List.of(new FieldError(path(e), e.getOriginalMessage())));
        } catch (StreamReadException e) {
            throw malformed(e);
        } catch (JsonProcessingException e) {
            throw new ConfigValidationException(List.of(new FieldError("(document)", e.getOriginalMessage())));
        }
    }

    private static ConfigValidationException malformed(StreamReadException e) {
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
        return new ConfigValidationException(List.of(new FieldError("(document)",
                "malformed JSON" + where + ": " + e.getOriginalMessage())));
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "(document)" : sb.toString();
    }
}

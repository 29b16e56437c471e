package io.vrouter.agent.introspect;

import io.vrouter.plumbing.http.JsonHttpServer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The named {@link StatsSource}s behind {@code GET /stats}. Components register at start and
 * close the returned handle when they stop. Thread-safe.
 */
public final class StatsRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(StatsRegistry.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");

    private final Map<String, StatsSource> sources = new ConcurrentSkipListMap<>();

    /** Handle of a registration: closing it removes exactly that source. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Adds a section.
     *
     * @throws IllegalArgumentException when the name is not {@code [a-z0-9][a-z0-9_.-]*} (≤ 63
     *         chars, usable in a URL path) or is taken
     */
    public Registration register(String name, StatsSource source) {
        Objects.requireNonNull(source, "source");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("stats section name must match " + NAME + ": " + name);
        }
        if (sources.putIfAbsent(name, source) != null) {
            throw new IllegalArgumentException("stats section already registered: " + name);
        }
        return () -> sources.remove(name, source);
    }

    /**
     * Every section by name, each already converted to JSON, so that a section whose source
     * throws or returns something that cannot be serialised shows {@code {"error": ...}}
     * instead of failing the whole page.
     */
    public Map<String, Object> snapshot() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, StatsSource> e : sources.entrySet()) {
            out.put(e.getKey(), snapshotOf(e.getKey(), e.getValue()));
        }
        return out;
    }

    /** One section, or null when there is none by that name. */
    public Object snapshot(String name) {
        StatsSource s = name == null ? null : sources.get(name);
        return s == null ? null : snapshotOf(name, s);
    }

    private static Object snapshotOf(String name, StatsSource s) {
        try {
            Object v = s.snapshot();
            return JsonHttpServer.DEFAULT_MAPPER.valueToTree(v == null ? Map.of() : v);
        } catch (RuntimeException ex) {
            LOG.warn("stats section {} failed: {}", name, ex.toString());
            return Map.of("error", String.valueOf(ex));
        }
    }
}

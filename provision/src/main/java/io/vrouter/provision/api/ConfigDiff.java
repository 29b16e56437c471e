package io.vrouter.provision.api;

import io.vrouter.linklocal.config.GlobalVrouterConfig;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One line saying what a write changed, for the audit log: entries added ({@code +}), removed
 * ({@code -}) and changed ({@code ~}) by name, and the names of other properties changed.
 */
final class ConfigDiff {
    private ConfigDiff() {
    }

    static String summarize(GlobalVrouterConfig before, GlobalVrouterConfig after) {
        Map<String, LinkLocalServiceEntry> old = byName(before);
        Map<String, LinkLocalServiceEntry> now = byName(after);
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, LinkLocalServiceEntry> e : now.entrySet()) {
            LinkLocalServiceEntry prev = old.get(e.getKey());
            if (prev == null) {
                parts.add("+" + e.getValue());
            } else if (!prev.equals(e.getValue())) {
                parts.add("~" + prev + " => " + e.getValue());
            }
        }
        for (String name : old.keySet()) {
            if (!now.containsKey(name)) {
                parts.add("-" + name);
            }
        }
        Set<String> props = new LinkedHashSet<>(before.otherProperties().keySet());
        props.addAll(after.otherProperties().keySet());
        List<String> changedProps = new ArrayList<>();
        for (String p : props) {
            if (!Objects.equals(before.otherProperties().get(p), after.otherProperties().get(p))) {
                changedProps.add(p);
            }
        }
        if (!changedProps.isEmpty()) {
            parts.add("properties changed " + changedProps);
        }
        return parts.isEmpty() ? "no change" : String.join("; ", parts);
    }

    private static Map<String, LinkLocalServiceEntry> byName(GlobalVrouterConfig c) {
        Map<String, LinkLocalServiceEntry> m = new LinkedHashMap<>();
        for (LinkLocalServiceEntry e : c.linklocalServices().entries()) {
            m.put(e.name(), e);
        }
        return m;
    }
}

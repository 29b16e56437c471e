package io.vrouter.provision.cli;

import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Contrail's edit semantics on the entry list, as pure functions: entries are keyed by name;
 * {@code add} of an existing name replaces that entry in place (its position kept), otherwise
 * appends; {@code del} removes the entry of that name.
 */
final class EntryEdits {
    /** What an edit did. */
    enum Outcome { ADDED, REPLACED, UNCHANGED, DELETED, NOT_FOUND }

    /** The list after the edit (the input list for UNCHANGED and NOT_FOUND). */
    record Edit(LinkLocalServices services, Outcome outcome) {
    }

    private EntryEdits() {
    }

    static Edit add(LinkLocalServices current, LinkLocalServiceEntry entry) {
        List<LinkLocalServiceEntry> out = new ArrayList<>(current.entries());
        for (int i = 0; i < out.size(); i++) {
            if (Objects.equals(out.get(i).name(), entry.name())) {
                if (out.get(i).equals(entry)) {
                    return new Edit(current, Outcome.UNCHANGED);
                }
                out.set(i, entry);
                return new Edit(new LinkLocalServices(out), Outcome.REPLACED);
            }
        }
        out.add(entry);
        return new Edit(new LinkLocalServices(out), Outcome.ADDED);
    }

    static Edit del(LinkLocalServices current, String name) {
        List<LinkLocalServiceEntry> out = new ArrayList<>(current.entries());
        boolean removed = out.removeIf(e -> Objects.equals(e.name(), name));
        return removed ? new Edit(new LinkLocalServices(out), Outcome.DELETED) : new Edit(current, Outcome.NOT_FOUND);
    }
}

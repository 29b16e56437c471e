package io.vrouter.linklocal.registry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What changed between two snapshots, matched by service name. A service is
 * <em>changed</em> when its name stays and its forwarding does not
 * ({@link LinkLocalService#sameForwarding}); a rename is a removal plus an addition.
 *
 * <p>Each list is sorted by name, so the same pair of snapshots always yields the same diff and
 * listeners see the same event order on every node. A listener deleting flows should handle
 * {@link #removed()} and {@link #changed()} (the {@link ServiceChange#before() before} side holds
 * the old addresses) before it trusts {@link #after()}.
 *
 * @param before  the snapshot replaced
 * @param after   the snapshot now in force
 * @param added   services only in {@code after}
 * @param removed services only in {@code before}
 * @param changed services in both with different forwarding
 */
public record RegistryDiff(RegistrySnapshot before, RegistrySnapshot after,
                           List<LinkLocalService> added, List<LinkLocalService> removed,
                           List<ServiceChange> changed) {

    /** One service whose forwarding changed. */
    public record ServiceChange(LinkLocalService before, LinkLocalService after) {
        public String name() {
            return after.name();
        }

        @Override
        public String toString() {
            return before + " => " + after;
        }
    }

    private static final Comparator<LinkLocalService> BY_NAME = Comparator.comparing(LinkLocalService::name);

    public RegistryDiff {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
    }

    /** The diff that takes {@code before} to {@code after}. */
    public static RegistryDiff between(RegistrySnapshot before, RegistrySnapshot after) {
        Map<String, LinkLocalService> old = new HashMap<>();
        for (LinkLocalService s : before.services()) {
            old.put(s.name(), s);
        }
        List<LinkLocalService> added = new ArrayList<>();
        List<ServiceChange> changed = new ArrayList<>();
        for (LinkLocalService s : after.services()) {
            LinkLocalService was = old.remove(s.name());
            if (was == null) {
                added.add(s);
            } else if (!was.sameForwarding(s)) {
                changed.add(new ServiceChange(was, s));
            }
        }
        List<LinkLocalService> removed = new ArrayList<>(old.values());
        added.sort(BY_NAME);
        removed.sort(BY_NAME);
        changed.sort(Comparator.comparing(ServiceChange::name));
        return new RegistryDiff(before, after, added, removed, changed);
    }

    /** True when no service was added, removed or changed. */
    public boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
    }

    @Override
    public String toString() {
        return "RegistryDiff{v" + before.version() + "->v" + after.version() + " (" + after.source() + ")"
                + ", added=" + added + ", removed=" + removed + ", changed=" + changed + "}";
    }
}

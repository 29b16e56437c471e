package io.vrouter.provision.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntryEditsTest {
    static LinkLocalServiceEntry entry(String name, String ip, int port, String fabricIp) {
        return new LinkLocalServiceEntry(name, ip, port, null, port, List.of(fabricIp));
    }

    private final LinkLocalServiceEntry a = entry("a", "169.254.0.1", 1, "10.0.0.1");
    private final LinkLocalServiceEntry b = entry("b", "169.254.0.2", 2, "10.0.0.2");
    private final LinkLocalServiceEntry c = entry("c", "169.254.0.3", 3, "10.0.0.3");
    private final LinkLocalServices abc = new LinkLocalServices(List.of(a, b, c));

    @Test
    void addOfANewNameShouldAppend() {
        LinkLocalServiceEntry d = entry("d", "169.254.0.4", 4, "10.0.0.4");
        EntryEdits.Edit e = EntryEdits.add(abc, d);
        assertEquals(EntryEdits.Outcome.ADDED, e.outcome());
        assertEquals(List.of(a, b, c, d), e.services().entries());
    }

    @Test
    void addOfAnExistingNameShouldReplaceItInPlace() {
        LinkLocalServiceEntry b2 = entry("b", "169.254.0.22", 22, "10.0.0.22");
        EntryEdits.Edit e = EntryEdits.add(abc, b2);
        assertEquals(EntryEdits.Outcome.REPLACED, e.outcome());
        assertEquals(List.of(a, b2, c), e.services().entries());
    }

    @Test
    void addOfAnIdenticalEntryShouldChangeNothing() {
        EntryEdits.Edit e = EntryEdits.add(abc, entry("c", "169.254.0.3", 3, "10.0.0.3"));
        assertEquals(EntryEdits.Outcome.UNCHANGED, e.outcome());
        assertSame(abc, e.services());
    }

    @Test
    void delShouldRemoveByNameOnly() {
        EntryEdits.Edit e = EntryEdits.del(abc, "b");
        assertEquals(EntryEdits.Outcome.DELETED, e.outcome());
        assertEquals(List.of(a, c), e.services().entries());
    }

    @Test
    void delOfAMissingNameShouldSaySo() {
        EntryEdits.Edit e = EntryEdits.del(abc, "metadata");
        assertEquals(EntryEdits.Outcome.NOT_FOUND, e.outcome());
        assertSame(abc, e.services());
    }

    @Test
    void listTableShouldShowTheUiColumnsAndBracketIpv6() {
        LinkLocalServiceEntry v6 = new LinkLocalServiceEntry("metadata6", "fe80::a9fe:a9fe", 80, null, 8775,
                List.of("fd00::5"));
        LinkLocalServiceEntry dns = new LinkLocalServiceEntry("ntp", "169.254.0.123", 123, "ntp.example", 123, null);
        String t = EntryTable.format(new LinkLocalServices(List.of(a, v6, dns)));
        String[] lines = t.split("\\R");
        assertEquals(4, lines.length, t);
        assertTrue(lines[0].startsWith("Service Name"), t);
        assertTrue(lines[2].contains("[fe80::a9fe:a9fe]:80") && lines[2].contains("[fd00::5]:8775"), t);
        assertTrue(lines[3].endsWith("ntp.example:123"), t);
        assertEquals(EntryTable.EMPTY, EntryTable.format(LinkLocalServices.EMPTY).strip());
    }
}

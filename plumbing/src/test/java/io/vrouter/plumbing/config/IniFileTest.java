package io.vrouter.plumbing.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IniFileTest {
    private static IniFile parse(String text) throws IniException {
        return IniFile.parse(text, "t.ini");
    }

    @Test
    void shouldReadSectionsKeysAndTrimmedValues() throws IniException {
        IniFile ini = parse("""
                # comment
                top = 1
                [A]
                k = v ; inline comment
                q = "quoted ; kept"
                empty =
                [B]
                x: 2
                [A]
                again = yes
                """);
        assertEquals(List.of(IniFile.NO_SECTION, "A", "B"), List.copyOf(ini.sections().keySet()));
        assertEquals("v", ini.value("A", "k"));
        assertEquals("quoted ; kept", ini.value("A", "q"));
        assertNull(ini.value("A", "empty"), "empty means not set");
        assertEquals("yes", ini.value("A", "again"), "a repeated section is merged");
        assertEquals(Map.of("x", "2"), ini.section("B"));
        assertEquals(Map.of(), ini.section("C"));
        assertEquals("1", ini.value(IniFile.NO_SECTION, "top"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "garbage line|line 2: \"garbage line\": expected key = value",
        "[A|line 2: \"[A\": expected a section header",
        "= value|expected key = value",
    })
    void malformedLinesShouldBeErrorsNamingTheLine(String line, String message) {
        IniException e = assertThrows(IniException.class, () -> parse("[A]\n" + line + "\n"));
        assertEquals(1, e.problems().size(), e.getMessage());
        assertTrue(e.problems().get(0).contains(message), e.getMessage());
        assertTrue(e.getMessage().startsWith("t.ini: "), e.getMessage());
    }

    @Test
    void aKeyGivenTwiceShouldBeAnError() {
        IniException e = assertThrows(IniException.class, () -> parse("[A]\nk = 1\nk = 2\n"));
        assertEquals(List.of("[A] k is given 2 times: give it once"), e.problems());
    }

    @Test
    void controlCharactersShouldBeRefusedAndAByteOrderMarkIgnored() throws IniException {
        IniException e = assertThrows(IniException.class, () -> parse("[A]\nx = \u0001\n"));
        assertTrue(e.problems().get(0).contains("line 2: \"x = ?\": contains control characters"), e.getMessage());
        assertEquals("1", parse("\uFEFF[A]\nk = 1\n").value("A", "k"));
    }

    @Test
    void aMissingFileShouldSaySo(@TempDir Path dir) throws Exception {
        IniException e = assertThrows(IniException.class, () -> IniFile.read(dir.resolve("absent.ini")));
        assertEquals(List.of("cannot read the file: it does not exist"), e.problems());
        Path f = Files.writeString(dir.resolve("ok.ini"), "[A]\nk = 1\n");
        assertEquals(f.toString(), IniFile.read(f).source());
    }
}

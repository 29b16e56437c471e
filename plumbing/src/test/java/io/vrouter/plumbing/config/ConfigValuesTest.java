package io.vrouter.plumbing.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigValuesTest {
    @ParameterizedTest
    @CsvSource({"true,true", "True,true", "YES,true", "on,true", "1,true", "' yes ',true",
                "false,false", "False,false", "no,false", "OFF,false", "0,false"})
    void booleansShouldFollowTheOneRule(String text, boolean expected) {
        assertEquals(expected, ConfigValues.parseBoolean(text));
        assertEquals(expected, ConfigValues.bool("--x", text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"maybe", "", "2", "t", "truee", "y"})
    void anythingElseShouldBeAnErrorNamingTheOrigin(String text) {
        assertNull(ConfigValues.parseBoolean(text));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigValues.bool("conf file f key no_auth", text));
        assertEquals("conf file f key no_auth '" + text + "' is not a boolean (" + ConfigValues.BOOLEAN_WORDS + ")",
                e.getMessage());
    }

    @Test
    void integersShouldBePlainDigits() {
        assertEquals(8097, ConfigValues.parseInteger(" 8097 "));
        assertEquals(-1, ConfigValues.parseInteger("-1"));
        assertNull(ConfigValues.parseInteger("8097x"));
        assertNull(ConfigValues.parseInteger("1e3"));
        assertNull(ConfigValues.parseInteger("1234567890"), "more than 9 digits could overflow");
        assertEquals("--port 'eighty' is not a number",
                assertThrows(IllegalArgumentException.class, () -> ConfigValues.integer("--port", "eighty")).getMessage());
    }
}

package io.vrouter.plumbing.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class IniDefaultProviderTest {
    @TempDir
    Path dir;

    @Command(name = "demo")
    static final class Demo {
        @Option(names = {"-c", "--conf-file"})
        Path conf;
        @Option(names = "--listen-port", defaultValue = "8082")
        int port;
        @Option(names = "--no-auth")
        boolean noAuth;
        @Option(names = "--store")
        String store;
        @Option(names = "--admin_user")
        String user;
    }

    private final IniDefaultProvider provider =
            new IniDefaultProvider("--conf-file", "DEFAULTS", Map.of("KEYSTONE", Set.of("admin_user")), false);

    private Demo parse(String... args) {
        Demo d = new Demo();
        new CommandLine(d).setDefaultValueProvider(provider).parseArgs(args);
        return d;
    }

    private Path ini(String text) throws IOException {
        return Files.writeString(dir.resolve("demo.ini"), text);
    }

    @Test
    void withoutAFileTheBuiltInDefaultsShouldHold() {
        Demo d = parse();
        assertEquals(8082, d.port);
        assertFalse(d.noAuth);
        assertNull(d.store);
    }

    @Test
    void theFileShouldSupplyWhatTheFlagsDoNotGive() throws IOException {
        Path f = ini("[DEFAULTS]\nlisten_port = 9000\nno_auth = yes\nstore = memory:\n[KEYSTONE]\nadmin_user = admin\nauth_host = x\n");
        Demo d = parse("-c", f.toString(), "--store", "file:/x");
        assertEquals(9000, d.port);
        assertTrue(d.noAuth, "the one boolean rule: yes is true");
        assertEquals("file:/x", d.store, "a flag overrides the file");
        assertEquals("admin", d.user);
    }

    @Test
    void aBooleanFlagBeforeTheConfFileShouldNotHideTheFile() throws IOException {
        Path f = ini("[DEFAULTS]\nlisten_port = 9000\n");
        assertEquals(9000, parse("--no-auth", "-c", f.toString()).port);
        assertEquals(9000, parse("-c", f.toString(), "--no-auth").port);
        assertFails(dir.resolve("absent.ini"), "does not exist", "--no-auth");
    }

    @Test
    void theOriginShouldNameTheFlagOrTheFileKey() throws IOException {
        Path f = ini("[DEFAULTS]\nlisten_port = 9000\n");
        Demo d = new Demo();
        CommandLine cl = new CommandLine(d).setDefaultValueProvider(provider);
        cl.parseArgs("-c", f.toString(), "--store", "memory:");
        assertEquals("conf file " + f + " key listen_port", provider.origin(cl.getCommandSpec().findOption("--listen-port")));
        assertEquals("--store", provider.origin(cl.getCommandSpec().findOption("--store")));
        assertEquals("--no-auth", provider.origin(cl.getCommandSpec().findOption("--no-auth")));
    }

    @Test
    void badFilesShouldFailWithOneLineNamingFileAndKey() throws IOException {
        assertFails(ini("[DEFAULTS]\nlisten_prot = 1\n"), "unknown key 'listen_prot'");
        assertFails(ini("[OTHER]\nx = 1\n"), "unknown section [OTHER]");
        assertFails(ini("[DEFAULTS]\nno_auth = maybe\n"), "key no_auth 'maybe' is not a boolean");
        assertFails(ini("[DEFAULTS]\nlisten_port = eighty\n"), "key listen_port 'eighty' is not a number");
        assertFails(ini("[DEFAULTS]\nnot a line\n"), "expected key = value");
        assertFails(dir.resolve("absent.ini"), "does not exist");
    }

    private void assertFails(Path file, String message, String... more) {
        String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("-c", file.toString()),
                java.util.Arrays.stream(more)).toArray(String[]::new);
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                () -> new CommandLine(new Demo()).setDefaultValueProvider(
                        new IniDefaultProvider("--conf-file", "DEFAULTS", Map.of(), false)).parseArgs(args));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
}

package io.vrouter.linklocal.proxy;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MetadataProxyMainTest {
    @TempDir
    Path dir;

    @Test
    void shouldLoadInstanceMap() throws Exception {
        Map<InetAddress, VmIdentity> m = InstanceMapFile.parse("""
                {"127.0.0.1": {"instance": "i-1", "tenant": "p-1", "ip": "10.0.0.3"},
                 "169.254.0.4": {"instance": "i-2", "tenant": "p-2"}}""", "t.json");
        assertEquals(new VmIdentity("i-1", "p-1", "10.0.0.3"), m.get(InetAddress.getByName("127.0.0.1")));
        assertEquals(new VmIdentity("i-2", "p-2", null), m.get(InetAddress.getByName("169.254.0.4")));
    }

    @Test
    void shouldNameTheBadEntryInTheInstanceMap() {
        assertMapError("[1,2]", "expected a JSON object");
        assertMapError("{not json", "not valid JSON");
        assertMapError("{\"vm1\": {\"instance\": \"i\", \"tenant\": \"t\"}}", "key \"vm1\" is not an IP address");
        assertMapError("{\"10.0.0.1\": {\"tenant\": \"t\"}}", "\"10.0.0.1\": \"instance\" is required");
        assertMapError("{\"10.0.0.1\": {\"instance\": \"i\", \"tenant\": 5}}", "\"tenant\" must be a non-empty string");
        assertMapError("{\"10.0.0.1\": \"i\"}", "expected an object");
    }

    private static void assertMapError(String json, String expected) {
        IOException e = assertThrows(IOException.class, () -> InstanceMapFile.parse(json, "map.json"));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().startsWith("map.json: "), e.getMessage());
    }

    @Test
    void shouldParseUpstreamHostPorts() {
        assertEquals(new InetSocketAddress("127.0.0.1", 8775), MetadataProxyMain.hostPort("127.0.0.1:8775"));
        assertEquals(new InetSocketAddress("::1", 8775), MetadataProxyMain.hostPort("[::1]:8775"));
        for (String bad : new String[] {"127.0.0.1", "127.0.0.1:", ":80", "h:x", "h:0", "h:65536"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MetadataProxyMain.hostPort(bad), bad);
            assertTrue(e.getMessage().startsWith("--upstream " + bad), e.getMessage());
        }
    }

    @Test
    void shouldBuildConfigFromFlags() throws Exception {
        MetadataProxyMain m = new MetadataProxyMain();
        new CommandLine(m).parseArgs("--upstream", "127.0.0.1:8775,127.0.0.2:8775", "--secret", "s",
                "--instances", "x.json", "--port", "0", "--rate-limit", "0", "--tls", "--insecure");
        MetadataProxyConfig c = m.config();
        assertEquals(0, c.port());
        assertEquals(0.0, c.rateLimitPerSecond());
        assertTrue(c.tls().enabled());
        assertTrue(c.tls().insecure());
        assertEquals(2, m.upstreams.size());
    }

    @Test
    void shouldExitWithUsageErrorWhenSecretIsMissing() {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new MetadataProxyMain()).setErr(new PrintWriter(err))
                .execute("--upstream", "127.0.0.1:8775", "--instances", "x.json");
        assertEquals(2, code);
        assertTrue(err.toString().contains("--secret"), err.toString());
    }

    @Test
    void shouldExitWith2OnBadInstanceFile() throws Exception {
        Path f = Files.writeString(dir.resolve("bad.json"), "{\"nope\": {}}");
        int code = new CommandLine(new MetadataProxyMain()).execute("--upstream", "127.0.0.1:8775", "--secret", "s",
                "--instances", f.toString(), "--port", "0");
        assertEquals(2, code);
    }
}

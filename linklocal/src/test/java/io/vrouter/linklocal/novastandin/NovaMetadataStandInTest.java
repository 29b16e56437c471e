package io.vrouter.linklocal.novastandin;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stand-in answers as nova's handler does (contracts §1), in nova's order of checks. */
class NovaMetadataStandInTest {
    private static final String UUID = "11111111-1111-4111-8111-111111111111";
    private static final String PROJECT = "aaaaaaaaaaaa4aaa8aaaaaaaaaaaaaaa";
    private final NovaMetadataStandIn nova = new NovaMetadataStandIn("secret")
            .addInstance(StandInInstance.of(UUID, PROJECT, "vm-a"));

    private List<Map.Entry<String, String>> good() {
        List<Map.Entry<String, String>> h = new ArrayList<>();
        h.add(Map.entry("X-Instance-ID", UUID));
        h.add(Map.entry("X-Tenant-ID", PROJECT));
        h.add(Map.entry("X-Instance-ID-Signature", nova.expectedSignature(UUID)));
        h.add(Map.entry("X-Forwarded-For", "10.0.0.3"));
        return h;
    }

    private NovaMetadataStandIn.Answer get(String path, List<Map.Entry<String, String>> headers) {
        return nova.answer("GET", path, headers, new byte[0]);
    }

    private static String text(NovaMetadataStandIn.Answer a) {
        return new String(a.body(), StandardCharsets.UTF_8);
    }

    private List<Map.Entry<String, String>> without(String name) {
        List<Map.Entry<String, String>> h = good();
        h.removeIf(e -> e.getKey().equals(name));
        return h;
    }

    private List<Map.Entry<String, String>> with(String name, String value) {
        List<Map.Entry<String, String>> h = good();
        h.add(Map.entry(name, value));
        return h;
    }

    @Test
    void shouldListVersionsAtRootWithoutHeaders() {
        NovaMetadataStandIn.Answer a = get("/", List.of());
        assertEquals(200, a.status());
        assertTrue(text(a).startsWith("1.0\n2007-01-19"));
        assertTrue(text(a).endsWith("2009-04-04\nlatest"));
    }

    @Test
    void shouldAnswer400ForMissingOrRepeatedHeaders() {
        assertEquals(400, get("/latest/meta-data/", without("X-Instance-ID")).status());
        assertEquals(400, get("/latest/meta-data/", without("X-Tenant-ID")).status());
        assertEquals(400, get("/latest/meta-data/", without("X-Instance-ID-Signature")).status());
        NovaMetadataStandIn.Answer dup = get("/latest/meta-data/", with("X-Instance-ID", UUID));
        assertEquals(400, dup.status());
        assertEquals("Multiple X-Instance-ID headers found within request.", text(dup));
        assertEquals(400, get("/latest/meta-data/", with("X-Tenant-ID", PROJECT)).status());
        assertEquals(200, get("/latest/meta-data/", without("X-Forwarded-For")).status(), "XFF is optional");
    }

    @Test
    void shouldAnswer403ForBadEmptyOrUpperCaseSignature() {
        for (String sig : new String[] {"", "deadbeef", nova.expectedSignature(UUID).toUpperCase()}) {
            List<Map.Entry<String, String>> h = without("X-Instance-ID-Signature");
            h.add(Map.entry("X-Instance-ID-Signature", sig));
            NovaMetadataStandIn.Answer a = get("/latest/meta-data/", h);
            assertEquals(403, a.status(), sig);
            assertEquals("Invalid proxy request signature.", text(a));
        }
    }

    @Test
    void shouldAnswer404ForUnknownInstanceOrTenantMismatch() {
        String other = "22222222-2222-4222-8222-222222222222";
        List<Map.Entry<String, String>> h = new ArrayList<>(List.of(Map.entry("X-Instance-ID", other),
                Map.entry("X-Tenant-ID", PROJECT), Map.entry("X-Instance-ID-Signature", nova.expectedSignature(other))));
        assertEquals(404, get("/latest/meta-data/", h).status());
        List<Map.Entry<String, String>> dashed = without("X-Tenant-ID");
        dashed.add(Map.entry("X-Tenant-ID", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"));
        assertEquals(404, get("/latest/meta-data/", dashed).status(), "nova compares the project id as a string");
    }

    @Test
    void shouldAnswer400WhenXMetadataProviderArrives() {
        assertEquals(400, get("/latest/meta-data/", with("X-Metadata-Provider", "lb")).status());
    }

    @Test
    void shouldServeTheEc2AndOpenStackTrees() {
        assertEquals("vm-a.novalocal", text(get("/latest/meta-data/hostname", good())));
        assertEquals("10.0.0.3", text(get("/latest/meta-data/local-ipv4", good())));
        assertEquals("ami-00000001", text(get("/latest/meta-data/ami-id", good())));
        assertEquals("nova", text(get("/2009-04-04/meta-data/placement/availability-zone", good())));
        assertTrue(text(get("/latest/meta-data/public-keys/0/openssh-key", good())).startsWith("ssh-ed25519 "));
        assertTrue(text(get("/latest/meta-data/instance-id", good())).startsWith("i-"));
        assertTrue(text(get("/latest/user-data", good())).startsWith("#cloud-config"));
        assertTrue(text(get("/openstack", good())).contains("2020-10-14\nlatest"));
        String md = text(get("/openstack/latest/meta_data.json", good()));
        assertTrue(md.contains("\"uuid\":\"" + UUID + "\""), md);
        assertEquals(200, get("/openstack/2018-08-27/network_data.json", good()).status());
        assertEquals(200, get("/openstack/latest/vendor_data2.json", good()).status());
        assertEquals(404, get("/openstack/1999-01-01/meta_data.json", good()).status());
        assertEquals(404, get("/latest/meta-data/nope", good()).status());
    }

    @Test
    void shouldSetPasswordOnceAndRefuseTooLarge() {
        assertEquals(200, nova.answer("POST", "/openstack/latest/password", good(), "pw".getBytes()).status());
        assertEquals(409, nova.answer("POST", "/openstack/latest/password", good(), "pw2".getBytes()).status());
        assertEquals("pw", text(get("/openstack/latest/password", good())));
        NovaMetadataStandIn other = new NovaMetadataStandIn("secret").addInstance(StandInInstance.of(UUID, PROJECT, "a"));
        assertEquals(400, other.answer("POST", "/openstack/latest/password", good(), new byte[1021]).status());
    }
}

package io.vrouter.provision.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.VersionedConfig;
import io.vrouter.linklocal.configclient.ConfigApiClient;
import io.vrouter.linklocal.configclient.ConfigApiEndpoint;
import io.vrouter.linklocal.configclient.ConfigWatchClient;
import io.vrouter.provision.cli.ProvisionLinklocal;
import io.vrouter.provision.cli.RealServerFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.WebElement;

/**
 * The web UI end to end: a real config API (Netty, HTTP Basic, memory store) on an OS-chosen
 * loopback port, Debian's chromium driving the page, and checks of what the API then holds.
 */
@Timeout(120)
class WebUiBrowserTest {
    private RealServerFixture api;
    private Browser browser;
    private String base;

    @BeforeEach
    void start() throws Exception {
        api = new RealServerFixture();
        base = api.baseUri().toString();
        browser = Browser.start();
    }

    @AfterEach
    void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            api.close();
        }
    }

    private ConfigApiClient admin() throws Exception {
        return new ConfigApiClient(api.adminEndpoint());
    }

    private List<String> storedNames() throws Exception {
        ConfigApiClient c = admin();
        return c.read(c.uuid()).config().linklocalServices().entries().stream()
                .map(LinkLocalServiceEntry::name).collect(Collectors.toList());
    }

    private LinkLocalServiceEntry stored(String name) throws Exception {
        ConfigApiClient c = admin();
        return c.read(c.uuid()).config().linklocalServices().entries().stream()
                .filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }

    /** Fills the open dialog; {@code fabric} is IPs, or {@code dns:<name>}. */
    private void fill(String name, String ip, String port, String fabricPort, String... fabric) {
        if (name != null) {
            browser.type("#f-name", name);
        }
        browser.type("#f-ip", ip);
        browser.type("#f-port", port);
        if (fabric.length == 1 && fabric[0].startsWith("dns:")) {
            browser.click("#f-type-dns");
            browser.type("#f-dns", fabric[0].substring(4));
        } else {
            browser.click("#f-type-ip");
            for (int j = 0; j < fabric.length; j++) {
                if (j > 0) {
                    browser.click("#f-ip-add");
                }
                browser.type("#f-ip-" + j, fabric[j]);
            }
        }
        browser.type("#f-fport", fabricPort);
    }

    private void create(String name, String ip, String port, String fabricPort, String... fabric) {
        browser.click("#create");
        browser.visible("#entry-dialog");
        fill(name, ip, port, fabricPort, fabric);
        browser.click("#entry-save");
        browser.gone("#entry-dialog");
        browser.visible("tr[data-name='" + name + "']");
    }

    private String row(String name) {
        return browser.visible("tr[data-name='" + name + "']").getText();
    }

    private void addMetadataThroughApi() throws Exception {
        CliRunResult r = provision("--oper", "add", "--linklocal_service_name", "metadata",
                "--linklocal_service_ip", "169.254.169.254", "--linklocal_service_port", "80",
                "--ipfabric_service_ip", "10.0.0.5", "--ipfabric_service_port", "8775");
        assertEquals(0, r.status, r.err);
    }

    @Test
    void adminShouldCreateEditAndDeleteServicesThroughTheForm() throws Exception {
        try (ConfigWatchClient agent = ConfigWatchClient.builder(api.adminEndpoint(), u -> { })
                .nodeName("compute-1").hold(Duration.ofSeconds(5)).build()) {
            agent.start();
            createEditAndDelete();
        }
    }

    private void createEditAndDelete() throws Exception {
        browser.signIn(base, RealServerFixture.USERS.admin(), RealServerFixture.USERS.adminPassword());
        assertEquals("No Link Local Services Found.", browser.visible("#empty").getText());

        create("metadata", "169.254.169.254", "80", "8775", "10.0.0.5", "10.0.0.6");
        create("ntp", "169.254.169.123", "123", "123", "dns:ntp.fabric.example");
        create("dns", "169.254.169.53", "53", "53", "10.0.0.53");
        assertTrue(row("metadata").contains("169.254.169.254:80"));
        assertTrue(row("metadata").contains("10.0.0.5, 10.0.0.6:8775"), row("metadata"));
        assertTrue(row("ntp").contains("ntp.fabric.example:123"), row("ntp"));
        assertEquals(List.of("10.0.0.5", "10.0.0.6"), stored("metadata").fabricIps());
        assertEquals("ntp.fabric.example", stored("ntp").fabricDnsName());
        assertTrue(stored("ntp").fabricIps().isEmpty());

        browser.textContains("#propagation-summary", "1 of 1 live node has revision 4");
        browser.click("tr[data-name='metadata'] button.expand");
        assertTrue(browser.textContains("tr.details", "the agent's metadata proxy").contains("10.0.0.5, 10.0.0.6"));
        browser.screenshot("webui-grid");

        browser.click("tr[data-name='ntp'] button.edit");
        browser.visible("#entry-dialog");
        assertEquals("true", browser.visible("#f-name").getAttribute("readonly"), "the name is fixed on edit");
        browser.type("#f-fport", "1123");
        browser.screenshot("webui-dialog");
        browser.click("#entry-save");
        browser.gone("#entry-dialog");
        browser.textContains("tr[data-name='ntp'] .fabric-address", ":1123");
        assertEquals(1123, stored("ntp").fabricPort());

        browser.click("tr[data-name='dns'] button.delete");
        browser.click("#confirm-ok");
        browser.gone("tr[data-name='dns']");
        assertEquals(List.of("metadata", "ntp"), storedNames());

        browser.click("tr[data-name='metadata'] input.row-select");
        browser.click("tr[data-name='ntp'] input.row-select");
        browser.textContains("#delete-selected", "(2)");
        browser.click("#delete-selected");
        assertTrue(browser.visible("#confirm-text").getText().contains("2 link-local services"));
        browser.click("#confirm-ok");
        browser.visible("#empty");
        assertEquals(List.of(), storedNames());
    }

    /** A metadata entry written by provision_linklocal, then the page signed in as {@code user}. */
    private void signInOverMetadata(String user, String password) throws Exception {
        addMetadataThroughApi();
        browser.signIn(base, user, password);
        browser.visible("tr[data-name='metadata']");
    }

    @Test
    void badPortAndDuplicateMetadataShowFieldErrorsAndWriteNothing() throws Exception {
        signInOverMetadata(RealServerFixture.USERS.admin(), RealServerFixture.USERS.adminPassword());
        long before = admin().read(admin().uuid()).revision();

        browser.click("#create");
        fill("ntp", "169.254.169.123", "70000", "123", "10.0.0.9");
        browser.click("#entry-save");
        assertEquals("70000 is outside 1-65535", browser.visible("#f-port-error").getText());
        assertEquals("true", browser.visible("#f-port").getAttribute("aria-invalid"));
        assertEquals("f-port", browser.driver.switchTo().activeElement().getAttribute("id"), "focus moves to the bad field");

        // A second metadata entry: only the server knows the list, and it names the field.
        fill("metadata", "169.254.169.250", "80", "8775", "10.0.0.7");
        browser.click("#entry-save");
        String err = browser.textContains("#f-name-error", "duplicate name 'metadata'");
        assertTrue(err.contains("already used by entry 0"), err);
        assertTrue(browser.visible("#entry-dialog").isDisplayed(), "the dialog stays open with the operator's input");
        assertEquals(before, admin().read(admin().uuid()).revision(), "nothing written");
        assertEquals(List.of("metadata"), storedNames());
    }

    @Test
    void aWriteRacingAnotherClientShowsWhatChangedAndReappliesOnlyWhenAsked() throws Exception {
        signInOverMetadata(RealServerFixture.USERS.admin(), RealServerFixture.USERS.adminPassword());
        browser.click("tr[data-name='metadata'] button.edit");
        browser.visible("#entry-dialog");
        browser.type("#f-fport", "8776");

        // Another client writes while the dialog is open.
        assertEquals(0, provision("--oper", "add", "--linklocal_service_name", "ntp", "--linklocal_service_ip",
                "169.254.169.123", "--linklocal_service_port", "123", "--ipfabric_dns_service_name", "ntp.example",
                "--ipfabric_service_port", "123").status);
        browser.click("#entry-save");
        browser.visible("#conflict-dialog");
        assertTrue(browser.visible("#conflict-changes").getText().contains("added ntp (169.254.169.123:123"),
                browser.visible("#conflict-changes").getText());
        assertTrue(browser.visible("#conflict-yours").getText().startsWith("edit metadata"));
        assertEquals(8775, stored("metadata").fabricPort(), "no silent overwrite");
        browser.screenshot("webui-conflict");

        browser.click("#conflict-reapply");
        browser.gone("#conflict-dialog");
        browser.textContains("tr[data-name='metadata'] .fabric-address", ":8776");
        assertEquals(8776, stored("metadata").fabricPort());
        assertEquals(List.of("metadata", "ntp"), storedNames(), "the other client's entry is kept");

        // Same race, discarded this time: the other client's write stands alone.
        browser.click("tr[data-name='ntp'] button.edit");
        browser.type("#f-fport", "999");
        ConfigApiClient other = admin();
        VersionedConfig now = other.read(other.uuid());
        other.write(other.uuid(), now.revision(), now.config().withLinklocalServices(
                new io.vrouter.linklocal.config.LinkLocalServices(now.config().linklocalServices().entries().subList(0, 1))));
        browser.click("#entry-save");
        assertTrue(browser.textContains("#conflict-changes", "removed ntp").contains("removed ntp"));
        browser.click("#conflict-discard");
        browser.gone("tr[data-name='ntp']");
        assertEquals(List.of("metadata"), storedNames());
    }

    @Test
    void readerSeesServicesButNoEditControlsAndTheServerRefusesItsWrites() throws Exception {
        signInOverMetadata(RealServerFixture.USERS.reader(), RealServerFixture.USERS.readerPassword());
        assertTrue(browser.visible("#who").getText().contains("read-only"));
        for (String css : List.of("#create", "#delete-selected", "#select-all", "input.row-select", "button.edit", "button.delete")) {
            assertEquals(0, browser.all(css).size(), css + " is shown to a reader");
        }
        ConfigApiClient reader = new ConfigApiClient(ConfigApiEndpoint.of(api.baseUri(), RealServerFixture.USERS.reader(),
                RealServerFixture.USERS.readerPassword()));
        VersionedConfig v = reader.read(reader.uuid());
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.vrouter.linklocal.configclient.ConfigApiException.class,
                () -> reader.write(reader.uuid(), v.revision(), v.config()));
        assertEquals(403, e.status());
    }

    @Test
    void wrongPasswordIsRefusedOnThePageWithoutABrowserPrompt() {
        browser.driver.get(base + "/ui/");
        browser.type("#login-user", RealServerFixture.USERS.admin());
        browser.type("#login-password", "wrong");
        browser.click("#login-submit");
        assertEquals("User name or password not accepted.", browser.textContains("#login-error", "not accepted"));
        assertTrue(!browser.driver.findElement(org.openqa.selenium.By.id("services")).isDisplayed());
    }

    @Test
    void aProvisionLinklocalRunShowsUpLiveAndAgentsReportWhatTheyApplied() throws Exception {
        List<ConfigWatchClient> agents = new ArrayList<>();
        try {
            for (String node : List.of("compute-1", "compute-2")) {
                ConfigWatchClient w = ConfigWatchClient.builder(api.adminEndpoint(), u -> { })
                        .nodeName(node).hold(Duration.ofSeconds(5)).build();
                w.start();
                agents.add(w);
            }
            browser.signIn(base, RealServerFixture.USERS.admin(), RealServerFixture.USERS.adminPassword());
            browser.visible("#empty");
            browser.visible("tr[data-node='compute-2']");

            addMetadataThroughApi();
            WebElement row = browser.visible("tr[data-name='metadata']");
            assertTrue(row.getText().contains("10.0.0.5:8775"), row.getText());
            assertTrue(browser.textContains("#status", "Updated live").contains("revision"));

            long revision = admin().read(admin().uuid()).revision();
            browser.textContains("tr[data-node='compute-1'] .applied", Long.toString(revision));
            browser.textContains("tr[data-node='compute-2'] .state", "up to date");
            browser.textContains("#propagation-summary", "2 of 2 live nodes have revision " + revision);
        } finally {
            agents.forEach(ConfigWatchClient::close);
        }
    }

    private record CliRunResult(int status, String out, String err) {
    }

    private CliRunResult provision(String... args) {
        List<String> all = new ArrayList<>(List.of("--api_server_ip", "127.0.0.1", "--api_server_port",
                Integer.toString(api.port()), "--admin_user", RealServerFixture.USERS.admin(), "--admin_password",
                RealServerFixture.USERS.adminPassword()));
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ProvisionLinklocal.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRunResult(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}

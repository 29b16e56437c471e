package io.vrouter.provision.cli;

import io.vrouter.linklocal.configclient.ConfigApiTestServer;

import io.vrouter.linklocal.config.VersionedConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import io.vrouter.linklocal.configclient.ConfigApiClient;
import io.vrouter.linklocal.configclient.ConfigApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * add/replace/del/list and the error paths of {@code provision_linklocal}, run against every
 * config API implementation (one subclass each).
 */
@Timeout(60)
abstract class ProvisionLinklocalContractTest {
    ConfigApiTestServer server;

    abstract ConfigApiTestServer startServer() throws Exception;

    @BeforeEach
    void start() throws Exception {
        server = startServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    List<String> admin() {
        return List.of("--api_server_ip", "127.0.0.1", "--api_server_port", String.valueOf(server.port()),
                "--admin_user", server.users().admin(), "--admin_password", server.users().adminPassword(),
                "--admin_tenant_name", "admin");
    }

    CliRun add(String name, String ip, int port, String fabric) {
        return CliRun.run(CliRun.args(admin(), "--oper", "add", "--linklocal_service_name", name,
                "--linklocal_service_ip", ip, "--linklocal_service_port", String.valueOf(port),
                "--ipfabric_service_ip", fabric, "--ipfabric_service_port", "8775"));
    }

    List<LinkLocalServiceEntry> stored() throws Exception {
        return server.read().config().linklocalServices().entries();
    }

    long revision() throws Exception {
        return server.read().revision();
    }

    @Test
    void addShouldAppendAndReplaceInPlaceByName() throws Exception {
        add("metadata", "169.254.169.254", 80, "10.0.0.5").assertOk();
        add("nova", "169.254.0.10", 8774, "10.0.0.5,10.0.0.6").assertOk();
        CliRun r = add("metadata", "169.254.169.254", 80, "10.0.0.7").assertOk();
        assertTrue(r.out().startsWith("replaced metadata 169.254.169.254:80 -> 10.0.0.7:8775"), r.out());
        List<LinkLocalServiceEntry> e = stored();
        assertEquals(List.of("metadata", "nova"), e.stream().map(LinkLocalServiceEntry::name).toList());
        assertEquals(List.of("10.0.0.7"), e.get(0).fabricIps());
        assertEquals(List.of("10.0.0.5", "10.0.0.6"), e.get(1).fabricIps());
    }

    @Test
    void anIpv6MetadataEntryWithADnsFabricShouldBeStoredAsGiven() throws Exception {
        CliRun.run(CliRun.args(admin(), "--linklocal_service_name", "metadata6", "--linklocal_service_ip",
                "fe80::a9fe:a9fe", "--linklocal_service_port", "80", "--ipfabric_dns_service_name", "nova.example",
                "--ipfabric_service_port", "8775")).assertOk();
        LinkLocalServiceEntry e = stored().get(0);
        assertEquals(new LinkLocalServiceEntry("metadata6", "fe80::a9fe:a9fe", 80, "nova.example", 8775, null), e);
    }

    @Test
    void addingTheSameEntryTwiceShouldNotWriteAgain() throws Exception {
        add("metadata", "169.254.169.254", 80, "10.0.0.5").assertOk();
        long rev = revision();
        CliRun r = add("metadata", "169.254.169.254", 80, "10.0.0.5").assertOk();
        assertTrue(r.out().startsWith("unchanged"), r.out());
        assertEquals(rev, revision());
    }

    @Test
    void delShouldRemoveByNameAndAMissingNameShouldExitZeroAsContrailOrThreeWithTheFlag() throws Exception {
        add("metadata", "169.254.169.254", 80, "10.0.0.5").assertOk();
        add("nova", "169.254.0.10", 8774, "10.0.0.5").assertOk();
        CliRun.run(CliRun.args(admin(), "--oper", "del", "--linklocal_service_name", "metadata")).assertOk();
        assertEquals(List.of("nova"), stored().stream().map(LinkLocalServiceEntry::name).toList());
        long rev = revision();
        CliRun absent = CliRun.run(CliRun.args(admin(), "--oper", "del", "--linklocal_service_name", "metadata")).assertOk();
        assertTrue(absent.out().startsWith("not found: no link-local service named 'metadata'; nothing to delete"),
                absent.out());
        CliRun.run(CliRun.args(admin(), "--oper", "del", "--linklocal_service_name", "metadata", "--fail_if_absent"))
                .assertFails(ExitStatus.NOT_FOUND, "no link-local service named 'metadata'; nothing deleted");
        CliRun.run(CliRun.args(admin(), "--oper", "del", "--linklocal_service_name", "metadata", "--fail_if_absent", "false"))
                .assertOk();
        assertEquals(rev, revision());
    }

    @Test
    void listShouldPrintATable() {
        CliRun empty = CliRun.run(CliRun.args(admin(), "--oper", "list")).assertOk();
        assertEquals(EntryTable.EMPTY, empty.out().strip());
        add("metadata", "169.254.169.254", 80, "10.0.0.5").assertOk();
        CliRun r = CliRun.run(CliRun.args(admin(), "--oper", "list")).assertOk();
        assertTrue(r.out().contains("metadata") && r.out().contains("169.254.169.254:80")
                && r.out().contains("10.0.0.5:8775"), r.out());
    }

    @Test
    void otherPropertiesOfTheObjectShouldSurviveAnAdd() throws Exception {
        ConfigApiClient api = new ConfigApiClient(server.adminEndpoint());
        String uuid = api.uuid();
        VersionedConfig cur = api.read(uuid);
        String withOther = "{\"uuid\": \"" + uuid + "\", \"flow_export_rate\": 100,"
                + " \"linklocal_services\": {\"linklocal_service_entry\": []}}";
        api.write(uuid, cur.revision(), io.vrouter.linklocal.config.LinkLocalJson.parseGlobalVrouterConfig(withOther));
        add("metadata", "169.254.169.254", 80, "10.0.0.5").assertOk();
        VersionedConfig after = server.read();
        assertEquals(100, after.config().otherProperties().get("flow_export_rate").asInt());
        assertEquals(1, after.config().linklocalServices().entries().size());
    }

    @Test
    void aReaderMayListButNotWrite() {
        List<String> reader = List.of("--api_server_port", String.valueOf(server.port()),
                "--admin_user", server.users().reader(), "--admin_password", server.users().readerPassword());
        CliRun.run(CliRun.args(reader, "--oper", "list")).assertOk();
        CliRun.run(CliRun.args(reader, "--linklocal_service_name", "m", "--linklocal_service_ip", "169.254.1.1",
                        "--linklocal_service_port", "80", "--ipfabric_service_ip", "10.0.0.1", "--ipfabric_service_port", "80"))
                .assertFails(ExitStatus.AUTH, "user '" + server.users().reader() + "' may not change link-local services");
    }

    @Test
    void badCredentialsShouldExitFive() {
        CliRun.run("--api_server_port", String.valueOf(server.port()), "--admin_user", server.users().admin(),
                        "--admin_password", "wrong", "--oper", "list")
                .assertFails(ExitStatus.AUTH, "authentication failed");
        CliRun.run("--api_server_port", String.valueOf(server.port()), "--oper", "list")
                .assertFails(ExitStatus.AUTH, "no --admin_user given");
    }

    @Test
    void aServerThatIsDownShouldExitSix() {
        server.stop();
        add("metadata", "169.254.169.254", 80, "10.0.0.5")
                .assertFails(ExitStatus.UNREACHABLE, "cannot connect to config API at http://127.0.0.1:" + server.port());
    }

    @Test
    void aDuplicateServiceAddressShouldBeRejectedBeforeSending() throws Exception {
        add("metadata", "169.254.169.254", 80, "10.0.0.5").assertOk();
        long rev = revision();
        add("other", "169.254.169.254", 80, "10.0.0.6")
                .assertFails(ExitStatus.INVALID, "duplicate service address 169.254.169.254:80");
        assertEquals(rev, revision());
    }

    @Test
    void twentyConcurrentAddsShouldAllSurvive() throws Exception {
        long before = revision();
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<CliRun>> runs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                runs.add(pool.submit(() -> add("svc" + n, "169.254.10." + (n + 1), 1000 + n, "10.0.1." + (n + 1))));
            }
            for (Future<CliRun> f : runs) {
                f.get().assertOk();
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> names = stored().stream().map(LinkLocalServiceEntry::name).sorted().toList();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add("svc" + i);
        }
        assertEquals(expected.stream().sorted().toList(), names);
        assertEquals(before + 20, revision(), "exactly one write per run");
    }

    @Test
    void losingEveryRaceShouldExitSevenAndChangeNothing() throws Exception {
        add("metadata", "169.254.169.254", 80, "10.0.0.5").assertOk();
        ConfigApiClient api = new ConfigApiClient(server.adminEndpoint());
        String uuid = api.uuid();
        AtomicBoolean stop = new AtomicBoolean();
        // A rival rewriting the same content as fast as it can, so every If-Match we send is stale.
        Thread rival = new Thread(() -> {
            while (!stop.get()) {
                try {
                    VersionedConfig c = api.read(uuid);
                    api.write(uuid, c.revision(), c.config());
                } catch (ConfigApiException e) {
                    // lost a race itself; go again
                }
            }
        });
        rival.start();
        try {
            CliRun r = CliRun.runWithAttempts(2, CliRun.args(admin(), "--oper", "del", "--linklocal_service_name", "metadata"));
            if (r.status() == ExitStatus.OK) {
                // The rival can be slower than us on a loaded machine; then the run must have won cleanly.
                assertTrue(stored().isEmpty());
                return;
            }
            r.assertFails(ExitStatus.CONFLICT, "gave up after 2 attempts");
        } finally {
            stop.set(true);
            rival.join();
        }
        assertEquals(List.of("metadata"), stored().stream().map(LinkLocalServiceEntry::name).toList());
    }

    static LinkLocalServices services(LinkLocalServiceEntry... e) {
        return new LinkLocalServices(List.of(e));
    }
}

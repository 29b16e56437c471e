package io.vrouter.provision.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.configclient.FakeConfigApi;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** add/replace/del/list and the error paths of {@code provision_linklocal} against a config API. */
@Timeout(60)
class ProvisionLinklocalServerTest {
    private FakeConfigApi server;

    @BeforeEach
    void start() throws Exception {
        server = new FakeConfigApi().start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private List<String> admin() {
        return List.of("--api_server_ip", "127.0.0.1", "--api_server_port", String.valueOf(server.port()),
                "--admin_user", FakeConfigApi.ADMIN, "--admin_password", FakeConfigApi.ADMIN_PASSWORD,
                "--admin_tenant_name", "admin");
    }

    private CliRun add(String name, String ip, int port, String fabric) {
        return CliRun.run(CliRun.args(admin(), "--oper", "add", "--linklocal_service_name", name,
                "--linklocal_service_ip", ip, "--linklocal_service_port", String.valueOf(port),
                "--ipfabric_service_ip", fabric, "--ipfabric_service_port", "8775"));
    }

    private List<LinkLocalServiceEntry> stored() throws Exception {
        return server.current().linklocalServices().entries();
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
    void addingTheSameEntryTwiceShouldNotWriteAgain() {
        add("metadata", "169.254.169.254", 80, "10.0.0.5").assertOk();
        int writes = server.writes();
        CliRun r = add("metadata", "169.254.169.254", 80, "10.0.0.5").assertOk();
        assertTrue(r.out().startsWith("unchanged"), r.out());
        assertEquals(writes, server.writes());
    }

    @Test
    void delShouldRemoveByNameAndAMissingNameShouldExitThree() throws Exception {
        add("metadata", "169.254.169.254", 80, "10.0.0.5").assertOk();
        add("nova", "169.254.0.10", 8774, "10.0.0.5").assertOk();
        CliRun.run(CliRun.args(admin(), "--oper", "del", "--linklocal_service_name", "metadata")).assertOk();
        assertEquals(List.of("nova"), stored().stream().map(LinkLocalServiceEntry::name).toList());
        int writes = server.writes();
        CliRun.run(CliRun.args(admin(), "--oper", "del", "--linklocal_service_name", "metadata"))
                .assertFails(ExitStatus.NOT_FOUND, "no link-local service named 'metadata'; nothing deleted");
        assertEquals(writes, server.writes());
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
    void aReaderMayListButNotWrite() {
        List<String> reader = List.of("--api_server_port", String.valueOf(server.port()),
                "--admin_user", FakeConfigApi.READER, "--admin_password", FakeConfigApi.READER_PASSWORD);
        CliRun.run(CliRun.args(reader, "--oper", "list")).assertOk();
        CliRun.run(CliRun.args(reader, "--linklocal_service_name", "m", "--linklocal_service_ip", "169.254.1.1",
                        "--linklocal_service_port", "80", "--ipfabric_service_ip", "10.0.0.1", "--ipfabric_service_port", "80"))
                .assertFails(ExitStatus.AUTH, "user 'reader' may not change link-local services");
    }

    @Test
    void badCredentialsShouldExitFive() {
        CliRun.run("--api_server_port", String.valueOf(server.port()), "--admin_user", "admin",
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
        int writes = server.writes();
        add("other", "169.254.169.254", 80, "10.0.0.6")
                .assertFails(ExitStatus.INVALID, "duplicate service address 169.254.169.254:80");
        assertEquals(writes, server.writes());
    }

    @Test
    void theServersFieldErrorsShouldBePrinted() {
        server.rejectNextWrite("linklocal_service_entry[0].linklocal_service_name", "reserved name");
        add("metadata", "169.254.169.254", 80, "10.0.0.5")
                .assertFails(ExitStatus.INVALID, "linklocal_service_entry[0].linklocal_service_name: reserved name");
    }

    @Test
    void twentyConcurrentAddsShouldAllSurvive() throws Exception {
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
        assertEquals(20, names.size(), names.toString());
        assertEquals(20, server.writes());
    }

    @Test
    void losingEveryRaceShouldExitSevenAndChangeNothing() throws Exception {
        // One attempt only, and a writer that always gets in first: the server bumps the
        // revision between our read and our write by rejecting with 412 via a concurrent writer.
        add("metadata", "169.254.169.254", 80, "10.0.0.5").assertOk();
        Thread rival = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    server.forceObject(server.current().linklocalServices() == null ? "{}"
                            : io.vrouter.linklocal.config.LinkLocalJson.write(server.current().linklocalServices()));
                } catch (Exception e) {
                    return;
                }
            }
        });
        rival.start();
        try {
            CliRun r = CliRun.runWithAttempts(2, CliRun.args(admin(), "--oper", "del", "--linklocal_service_name", "metadata"));
            r.assertFails(ExitStatus.CONFLICT, "gave up after 2 attempts");
        } finally {
            rival.interrupt();
            rival.join();
        }
        assertEquals(List.of("metadata"), stored().stream().map(LinkLocalServiceEntry::name).toList());
    }
}

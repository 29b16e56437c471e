package io.vrouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.introspect.api.DropStat;
import io.vrouter.introspect.api.DropStatsResp;
import io.vrouter.introspect.api.FlowMatch;
import io.vrouter.introspect.api.ItfResp;
import io.vrouter.introspect.api.ItfSandeshData;
import io.vrouter.introspect.api.KFlowInfo;
import io.vrouter.introspect.api.KFlowResp;
import io.vrouter.introspect.api.MetadataTraceEntry;
import io.vrouter.introspect.api.MetadataTraceResp;
import io.vrouter.introspect.api.NotFound;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** The CLIs against a fake agent on loopback: layouts, paging, errors. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CliTest {

    record Run(int status, String out, String err) {
    }

    static Run run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    private static ItfSandeshData guest() {
        ItfSandeshData i = new ItfSandeshData();
        i.setIndex(3);
        i.setName("tap3");
        i.setType("vport");
        i.setUuid("p-3");
        i.setVn_name("vn-1");
        i.setVm_uuid("11111111-1111-4111-8111-111111111111");
        i.setVm_name("vm1");
        i.setIp_addr("10.0.0.3");
        i.setMac_addr("02:00:00:00:00:03");
        i.setMdata_ip_addr("169.254.0.3");
        i.setActive("UP");
        i.setMetadata_ip_active("Active");
        i.setRx_packets(12);
        i.setRx_bytes(1180);
        i.setTx_packets(10);
        i.setTx_bytes(1734);
        i.setDrops(1);
        i.setMtu(1500);
        return i;
    }

    private static KFlowInfo flow(int index, int rflow) {
        KFlowInfo f = new KFlowInfo();
        f.setIndex(index);
        f.setRflow(rflow);
        f.setSip("10.0.0.3");
        f.setSport(40000);
        f.setDip("169.254.169.254");
        f.setDport(80);
        f.setProto(6);
        f.setAction("NAT");
        f.setFlags("SNAT|DNAT|DPAT|LINK_LOCAL");
        f.setPkts(5);
        f.setBytes(420);
        f.setNhid(3);
        f.setGen_id(1);
        f.setAge_ms(12);
        return f;
    }

    @Test
    void vifListShouldPrintVrouterBlocksWithCounters() throws Exception {
        try (FakeAgent agent = new FakeAgent(Map.of("listInterfaces", a -> new ItfResp(List.of(guest()))))) {
            Run r = run(new Vif(), "--list", "--port", "" + agent.port());
            assertEquals(0, r.status(), r.err());
            List<String> lines = r.out().lines().toList();
            assertEquals("Vrouter Interface Table", lines.get(0));
            int block = lines.indexOf("vif0/3      OS: tap3 (MTU 1500)");
            assertTrue(block > 0, r.out());
            assertEquals("            Type:Virtual HWaddr:02:00:00:00:00:03 IPaddr:10.0.0.3", lines.get(block + 1));
            assertEquals("            Vn:vn-1 VM:11111111-1111-4111-8111-111111111111 Name:vm1 MdataIP:169.254.0.3",
                    lines.get(block + 2));
            assertEquals("            Flags:L3Md Status:UP", lines.get(block + 3));
            assertEquals("            RX packets:12  bytes:1180 errors:0", lines.get(block + 4));
            assertEquals("            TX packets:10  bytes:1734 errors:0", lines.get(block + 5));
            assertEquals("            Drops:1", lines.get(block + 6));
        }
    }

    @Test
    void vifGetOfAnUnknownIndexShouldExitOneWithTheAgentsMessage() throws Exception {
        try (FakeAgent agent = new FakeAgent(Map.of("getInterface", a -> {
            throw new NotFound("no interface vif0/" + a[0]);
        }))) {
            Run r = run(new Vif(), "--get", "9", "--port", "" + agent.port());
            assertEquals(1, r.status());
            assertTrue(r.err().contains("no interface vif0/9"), r.err());
        }
    }

    @Test
    void vifShouldRequireListOrGet() {
        assertEquals(2, run(new Vif()).status());
        assertEquals(2, run(new Vif(), "--list", "--get", "1").status());
    }

    @Test
    void flowListShouldFollowPagesAndLayOutEachFlowAsVrouterDoes() throws Exception {
        List<Object[]> calls = new ArrayList<>();
        try (FakeAgent agent = new FakeAgent(Map.of("listFlows", a -> {
            calls.add(a);
            int start = (Integer) a[1];
            KFlowInfo offloaded = flow(9, 7);
            offloaded.setFlags("SNAT|LINK_LOCAL|REVERSE|OFFLOADED");
            return start == 0 ? new KFlowResp(List.of(flow(7, 9)), "8", 1024, 2)
                    : new KFlowResp(List.of(offloaded), "", 1024, 2);
        }))) {
            Run r = run(new Flow(), "-l", "--match", "169.254.169.254:80", "--port", "" + agent.port());
            assertEquals(0, r.status(), r.err());
            assertEquals(2, calls.size());
            assertEquals(new FlowMatch("169.254.169.254", 80, 0), calls.get(0)[0]);
            assertEquals(8, calls.get(1)[1]);
            List<String> lines = r.out().lines().toList();
            assertEquals("Flow table(size 1024, entries 2)", lines.get(0));
            assertTrue(lines.contains("Listing flows matching ([169.254.169.254]:80)"), r.out());
            String key = "        7<=>9            10.0.0.3:40000" + " ".repeat(46 - "10.0.0.3:40000".length()) + "      6 (3)";
            int at = lines.indexOf(key);
            assertTrue(at > 0, r.out());
            assertEquals(" ".repeat(25) + "169.254.169.254:80", lines.get(at + 1));
            assertEquals("(Gen: 1, K(nh):3, Action:N(SDPdL), Flags:, Stats:5/420, Age:12ms)", lines.get(at + 2));
            assertTrue(r.out().contains("        9<=>7 "), r.out());
            assertTrue(r.out().contains("Flags:RK, Stats:5/420"), "the kernel fast path's flag: " + r.out());
        }
    }

    @Test
    void flowShouldRefuseABadMatchBeforeConnecting() {
        Run r = run(new Flow(), "-l", "--match", "10.0.0.300:80", "--port", "1");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--match 10.0.0.300:80: match ip must be a dotted-quad IPv4 address"), r.err());
    }

    @Test
    void dropstatsShouldPrintNonZeroReasonsInVroutersColumnsAndTheTotal() throws Exception {
        DropStatsResp resp = new DropStatsResp(List.of(new DropStat(32, "FLOW_TABLE_FULL", "no free flow entry", 0),
                new DropStat(67, "POLICY", "not link-local", 4)), 4);
        try (FakeAgent agent = new FakeAgent(Map.of("dropStats", a -> resp))) {
            Run r = run(new Dropstats(), "--port", "" + agent.port());
            assertEquals(0, r.status(), r.err());
            assertEquals(List.of(String.format("%-28s  %d", "Policy", 4), "", String.format("%-28s  %d", "Total", 4)),
                    r.out().lines().toList());
            assertTrue(run(new Dropstats(), "--all", "--port", "" + agent.port()).out().contains("Flow Table Full"));
        }
    }

    @Test
    void mdtraceShouldShowAVmsRequestsWithGuestTextMadeSafe() throws Exception {
        MetadataTraceResp t = new MetadataTraceResp("vm-1", "169.254.0.3",
                List.of(new MetadataTraceEntry(0, "GET", "/latest/\u001b[31mred", 429, "", 15, "RATE_LIMITED")), 32, 0);
        try (FakeAgent agent = new FakeAgent(Map.of("metadataTrace", a -> t))) {
            Run r = run(new MdTrace(), "169.254.0.3", "--port", "" + agent.port());
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().contains("RATE_LIMITED"), r.out());
            assertTrue(r.out().contains("/latest/\\x1B[31mred"), r.out());
            assertTrue(!r.out().contains("\u001b"), "no raw escape reaches the terminal");
        }
    }

    @Test
    void everyCliShouldSayClearlyWhenTheAgentIsDown() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        for (Object cmd : new Object[] {new Vif(), new Flow(), new Dropstats(), new LinkLocal(), new MdTrace()}) {
            List<String> args = new ArrayList<>(cmd instanceof Vif ? List.of("--list") : cmd instanceof Flow
                    ? List.of("-l") : List.of());
            args.addAll(List.of("--port", "" + closed));
            Run r = run(cmd, args.toArray(String[]::new));
            assertEquals(69, r.status(), cmd.getClass().getSimpleName());
            assertTrue(r.err().contains("cannot reach the vrouter agent's introspect service at 127.0.0.1:" + closed),
                    r.err());
            assertTrue(r.err().contains("thrift_server_port"), r.err());
        }
    }

    @Test
    void dropReasonLabelsShouldReadLikeVroutersCounters() {
        assertEquals("Flow Table Full", Dropstats.label("FLOW_TABLE_FULL"));
        assertEquals("No Service", Dropstats.label("NO_SERVICE"));
    }
}

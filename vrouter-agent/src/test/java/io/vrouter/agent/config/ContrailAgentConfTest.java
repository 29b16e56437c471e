package io.vrouter.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.ContrailConfs;
import io.vrouter.plumbing.logging.LogSettings;
import io.vrouter.plumbing.logging.Severity;
import java.io.StringReader;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** agent.conf as Contrail deployments write it loads unchanged (issue 9 item 3). */
class ContrailAgentConfTest {
    private static AgentConfigParser.Result parse(String text) throws AgentConfigException {
        return AgentConfigParser.parse(new StringReader(text), "contrail-vrouter-agent.conf");
    }

    private static List<InetAddress> ips(String... s) throws Exception {
        InetAddress[] a = new InetAddress[s.length];
        for (int i = 0; i < s.length; i++) {
            a[i] = InetAddress.getByName(s[i]);
        }
        return List.of(a);
    }

    @Test
    void sampleShapedFileShouldLoadUnchangedWithItsContrailValues() throws Exception {
        AgentConfigParser.Result r = parse(ContrailConfs.sample());
        AgentConfig c = r.config();
        assertEquals(ips("10.1.1.254"), c.vhost().gateways());
        assertEquals(List.of("eth1"), c.vhost().physicalInterfaces());
        assertEquals(ips("10.1.1.31"), c.vhost().computeNodeAddresses());
        assertEquals(InetAddress.getByName("0.0.0.0"), c.general().introspectIp());
        assertEquals(8085, c.general().introspectPort());
        assertEquals(AgentConfigParser.DEFAULT_FLOW_CACHE_TIMEOUT, c.flows().flowCacheTimeoutSeconds(), "0 = the default");
        assertEquals(4096, c.flows().maxSystemLinkLocalFlows());
        assertEquals(1024, c.flows().maxVmLinkLocalFlows());
        assertEquals(new LogSettings(Path.of("/var/log/contrail/contrail-vrouter-agent.log"), Severity.SYS_NOTICE, 10,
                1048576), c.logging());
    }

    @Test
    void unusedSectionsAndKeysShouldBeOneLineWarningEachAndRepeatedSectionsMerged() throws Exception {
        List<String> w = parse(ContrailConfs.sample()).warnings();
        for (String section : List.of("CONTROL-NODE", "SANDESH", "RESTART", "DNS", "HYPERVISOR", "NETWORKS", "GATEWAY-0",
                "SERVICE-INSTANCE", "TASK", "SERVICES", "QOS", "LLGR")) {
            assertEquals(1, w.stream().filter(x -> x.startsWith("[" + section + "] (")).count(), section + " in " + w);
        }
        for (String key : List.of("[DEFAULT] collectors", "[DEFAULT] hostname", "[DEFAULT] tsn_servers",
                "[DEFAULT] xmpp_server_cert", "[FLOWS] thread_count", "[VIRTUAL-HOST-INTERFACE] subnet_hosts_resolvable")) {
            assertTrue(w.contains(key + " is not used by this agent: ignored"), key + " in " + w);
        }
        assertTrue(w.stream().noneMatch(x -> x.contains("\n")), "one line each: " + w);
        for (String used : List.of("log_file", "log_level", "log_files_count", "log_file_size", "log_local",
                "http_server_ip", "http_server_port", "flow_cache_timeout")) {
            assertFalse(w.contains("[DEFAULT] " + used + " is not used by this agent: ignored"), used + " is used: " + w);
        }
    }

    @Test
    void controlNodeWithoutALinkLocalSourceShouldWarnThatMetadataGoesToTheBuiltInDefault() throws Exception {
        List<String> w = parse(ContrailConfs.sample()).warnings();
        String loud = w.stream().filter(x -> x.startsWith("METADATA GOES TO THE BUILT-IN DEFAULT")).findFirst().orElseThrow();
        assertTrue(loud.contains("[LINKLOCAL] config_api_url") && loud.contains("127.0.0.1:8775"), loud);

        List<String> withSource = parse(ContrailConfs.sample() + "[LINKLOCAL]\nconfig_api_url = http://10.1.1.41:8082\n")
                .warnings();
        assertFalse(withSource.stream().anyMatch(x -> x.startsWith("METADATA GOES")), withSource.toString());
    }

    @Test
    void containerGeneratedListsShouldBeSpaceSeparated() throws Exception {
        AgentConfig c = parse(ContrailConfs.containerBuilt("10.1.1.31/24", "10.1.1.254 10.2.2.254", "bond0 eth2",
                "/var/log/contrail/agent.log", "SYS_DEBUG")).config();
        assertEquals(ips("10.1.1.254", "10.2.2.254"), c.vhost().gateways());
        assertEquals(List.of("bond0", "eth2"), c.vhost().physicalInterfaces());
        assertEquals(Severity.SYS_DEBUG, c.logging().severity());
        assertEquals(ips("10.1.1.31"), c.vhost().computeNodeAddresses());
    }

    @Test
    void containerGeneratedEmptyValuesShouldMeanNotSet() throws Exception {
        AgentConfig c = parse(ContrailConfs.containerBuilt("10.1.1.31/24", "", "eth0", "", "")).config();
        assertEquals(List.of(), c.vhost().gateways());
        assertEquals(LogSettings.stderr(Severity.SYS_NOTICE), c.logging());
    }

    @Test
    void flowCacheTimeoutShouldBeReadWhereContrailHasIt() throws Exception {
        String base = ContrailConfs.containerBuilt("10.1.1.31/24", "", "eth0", "", "");
        assertEquals(60, parse(base + "[DEFAULT]\nflow_cache_timeout = 60\n").config().flows().flowCacheTimeoutSeconds());
        AgentConfigParser.Result legacy = parse(base + "[FLOWS]\nflow_cache_timeout = 90\n");
        assertEquals(90, legacy.config().flows().flowCacheTimeoutSeconds());
        assertTrue(legacy.warnings().stream().anyMatch(x -> x.startsWith("[FLOWS] flow_cache_timeout is read as [DEFAULT]")));
        AgentConfigException both = org.junit.jupiter.api.Assertions.assertThrows(AgentConfigException.class,
                () -> parse(base + "[DEFAULT]\nflow_cache_timeout = 60\n[FLOWS]\nflow_cache_timeout = 90\n"));
        assertTrue(both.getMessage().contains("are both given"), both.getMessage());
    }

    @Test
    void logLocalOffShouldKeepTheFileUnwritten() throws Exception {
        AgentConfigParser.Result r = parse(ContrailConfs.sample().replace("log_local=1", "log_local=0"));
        assertEquals(null, r.config().logging().file());
        assertTrue(r.warnings().stream().anyMatch(x -> x.startsWith("[DEFAULT] log_local = 0")), r.warnings().toString());
    }
}

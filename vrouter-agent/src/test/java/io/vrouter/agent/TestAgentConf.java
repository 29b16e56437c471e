package io.vrouter.agent;

import java.nio.file.Path;

/** The agent.conf text the agent tests start from: OS-chosen HTTP, Thrift and IPC ports, a test secret. */
public final class TestAgentConf {
    public static final String SECRET = "0123456789abcdef0123456789abcdef";

    private TestAgentConf() {
    }

    /**
     * The smallest file: loopback vhost (no dataplane name), state under {@code portsDir}.
     *
     * @param metadataProxyPort 0 (any free port) only together with {@code [DATAPLANE] enabled = false} in {@code extra}
     * @param extra             more sections, appended
     */
    static String text(Path portsDir, int metadataProxyPort, String extra) {
        return text(portsDir, "ip = 127.0.0.1/8", metadataProxyPort, extra);
    }

    /**
     * @param vhost the [VIRTUAL-HOST-INTERFACE] lines
     * @param extra more sections, appended
     */
    public static String text(Path portsDir, String vhost, int metadataProxyPort, String extra) {
        return """
                [DEFAULT]
                http_server_port = 0
                thrift_server_port = 0
                port_ipc_port = 0
                ports_dir = %s
                [VIRTUAL-HOST-INTERFACE]
                %s
                [METADATA]
                metadata_proxy_secret = %s
                metadata_proxy_port = %d
                """.formatted(portsDir, vhost, SECRET, metadataProxyPort) + extra;
    }
}

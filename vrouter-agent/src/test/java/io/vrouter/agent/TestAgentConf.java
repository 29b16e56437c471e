package io.vrouter.agent;

import java.nio.file.Path;

/** The smallest agent.conf the agent tests start from: loopback vhost, OS-chosen IPC and introspect ports. */
final class TestAgentConf {
    static final String SECRET = "0123456789abcdef0123456789abcdef";

    private TestAgentConf() {
    }

    /**
     * @param metadataProxyPort 0 (any free port) only together with {@code [DATAPLANE] enabled = false} in {@code extra}
     * @param extra             more sections, appended
     */
    static String text(Path portsDir, int metadataProxyPort, String extra) {
        return """
                [DEFAULT]
                http_server_port = 0
                thrift_server_port = 0
                port_ipc_port = 0
                ports_dir = %s
                [VIRTUAL-HOST-INTERFACE]
                ip = 127.0.0.1/8
                [METADATA]
                metadata_proxy_secret = %s
                metadata_proxy_port = %d
                """.formatted(portsDir, SECRET, metadataProxyPort) + extra;
    }
}

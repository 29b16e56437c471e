package io.vrouter.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code contrail-vrouter-agent.conf} files as Tungsten Fabric deployments write them: the
 * sample-shaped file of a compute node (test resource {@code contrail/contrail-vrouter-agent.conf})
 * and files generated the way tf-container-builder's vrouter agent entrypoint generates them
 * (its heredoc's sections and keys; the values are what its environment variables give).
 */
public final class ContrailConfs {
    private ContrailConfs() {
    }

    /** The sample-shaped file, unchanged. */
    public static String sample() {
        try (InputStream in = ContrailConfs.class.getResourceAsStream("/contrail/contrail-vrouter-agent.conf")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What a container writes, e.g. {@code gateway=${VROUTER_GATEWAY//,/ }} gives a space-separated
     * list, an unset {@code VROUTER_LOG_LEVEL} an empty {@code log_level=}.
     */
    public static String containerBuilt(String cidr, String gateways, String physical, String logFile, String logLevel) {
        String ip = cidr.substring(0, cidr.indexOf('/'));
        return """
                [CONTROL-NODE]
                servers=10.1.1.11:5269 10.1.1.12:5269

                [DEFAULT]
                collectors=
                log_file=%s
                log_level=%s
                log_local=1

                xmpp_dns_auth_enable = False
                xmpp_auth_enable = False
                physical_interface_mac = 52:54:00:aa:bb:cc

                [SANDESH]
                introspect_ssl_enable = False
                sandesh_ssl_enable = False

                [NETWORKS]
                control_network_ip=%s

                [DNS]
                servers=10.1.1.11:53 10.1.1.12:53

                [METADATA]
                metadata_proxy_secret=generated-by-the-deployment-0123456789

                [VIRTUAL-HOST-INTERFACE]
                name=vhost0
                ip=%s
                physical_interface=%s
                gateway=%s
                compute_node_address=%s

                [SERVICE-INSTANCE]
                netns_command=/usr/bin/opencontrail-vrouter-netns
                docker_command=/usr/bin/opencontrail-vrouter-docker

                [HYPERVISOR]
                type = kvm
                """.formatted(logFile, logLevel, ip, cidr, physical, gateways, ip);
    }
}

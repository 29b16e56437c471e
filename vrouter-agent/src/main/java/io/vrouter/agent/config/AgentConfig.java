package io.vrouter.agent.config;

import io.vrouter.agent.dataplane.host.PortMode;
import io.vrouter.flow.FlowTableConfig;
import io.vrouter.linklocal.proxy.MetadataTokenMode;
import io.vrouter.plumbing.logging.LogSettings;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The agent's configuration, parsed and validated from {@code agent.conf} by
 * {@link AgentConfigParser}. Immutable; every value here has passed validation. Sections and
 * keys follow Contrail's {@code contrail-vrouter-agent.conf} where Contrail has them; the
 * {@code DEFAULT.port_ipc_port} / {@code ports_dir}, {@code [LINKLOCAL]} and {@code [DATAPLANE]}
 * settings are ours (Contrail hard-codes the first two).
 */
public record AgentConfig(
        General general,
        VirtualHostInterface vhost,
        Metadata metadata,
        Flows flows,
        LinkLocal linklocal,
        Dataplane dataplane,
        LogSettings logging) {

    public AgentConfig {
        Objects.requireNonNull(general);
        Objects.requireNonNull(vhost);
        Objects.requireNonNull(metadata);
        Objects.requireNonNull(flows);
        Objects.requireNonNull(linklocal);
        Objects.requireNonNull(dataplane);
        Objects.requireNonNull(logging);
    }

    /**
     * {@code [DEFAULT]}.
     *
     * @param introspectPort {@code http_server_port}, default {@value AgentConfigParser#DEFAULT_HTTP_SERVER_PORT};
     *                       0 = any free port
     * @param portIpcPort    {@code port_ipc_port}, default {@value AgentConfigParser#DEFAULT_PORT_IPC_PORT}
     * @param portsDir       {@code ports_dir}, default {@value AgentConfigParser#DEFAULT_PORTS_DIR}
     * @param introspectIp   {@code http_server_ip}, default {@value AgentConfigParser#DEFAULT_HTTP_SERVER_IP}
     * @param thriftPort     {@code thrift_server_port}, default {@value AgentConfigParser#DEFAULT_THRIFT_SERVER_PORT}:
     *                       the Introspect Thrift service the vif/flow/dropstats CLIs call; 0 = any free port
     * @param staleInterfaceCleanupSeconds {@code stale_interface_cleanup_timeout}, default
     *                       {@value io.vrouter.agent.port.PortIpcServer#DEFAULT_STALE_TIMEOUT_SECONDS}: after
     *                       port IPC's {@code POST /syncports}, ports not re-added within it are removed
     */
    public record General(int introspectPort, int portIpcPort, Path portsDir, InetAddress introspectIp, int thriftPort,
                          int staleInterfaceCleanupSeconds) {
        public General {
            Objects.requireNonNull(portsDir);
            Objects.requireNonNull(introspectIp);
        }
    }

    /**
     * {@code [VIRTUAL-HOST-INTERFACE]}: the host's fabric-facing interface; the metadata proxy
     * listens on {@code ip}.
     *
     * <p>The three lists are space-separated in the file, as Contrail writes them (several for L3
     * multi-homing); this agent does not take over the NIC, so it only records them.
     *
     * @param gateways             empty when not set
     * @param physicalInterfaces   empty when not set
     * @param computeNodeAddresses defaults to {@code ip}'s address
     */
    public record VirtualHostInterface(String name, Inet4Address ip, int prefixLength, List<Inet4Address> gateways,
            List<String> physicalInterfaces, List<Inet4Address> computeNodeAddresses) {
        public VirtualHostInterface {
            gateways = List.copyOf(gateways);
            physicalInterfaces = List.copyOf(physicalInterfaces);
            computeNodeAddresses = List.copyOf(computeNodeAddresses);
        }
    }

    /**
     * {@code [METADATA]}. Paths are null when not set. {@code toString} hides the secret.
     *
     * @param sslInsecure         {@code metadata_ssl_insecure}: TLS to nova without verifying its
     *                            certificate, only when asked for (Contrail does it silently
     *                            when the CA is empty)
     * @param rateLimitPerVm      {@code metadata_rate_limit}: requests per second per VM, 0 = none
     * @param rateBurstPerVm      {@code metadata_rate_burst}: requests a VM may make at once above the rate
     * @param maxConnectionsPerVm {@code metadata_max_connections}: open proxy connections per VM
     * @param tokens              IMDSv2 tokens (ours)
     */
    public record Metadata(String secret, int proxyPort, boolean useSsl, Path clientCert, String clientCertType,
            Path clientKey, Path caCert, boolean sslInsecure, int rateLimitPerVm, int rateBurstPerVm, int maxConnectionsPerVm,
            Tokens tokens) {
        @Override
        public String toString() {
            return "Metadata[secret=(" + secret.length() + " chars), proxyPort=" + proxyPort + ", useSsl=" + useSsl
                    + ", clientCert=" + clientCert + ", clientCertType=" + clientCertType + ", clientKey=" + clientKey
                    + ", caCert=" + caCert + ", sslInsecure=" + sslInsecure + ", rateLimitPerVm=" + rateLimitPerVm
                    + ", rateBurstPerVm=" + rateBurstPerVm + ", maxConnectionsPerVm=" + maxConnectionsPerVm
                    + ", tokens=" + tokens + "]";
        }
    }

    /**
     * {@code [METADATA]} IMDSv2 token keys (ours; Contrail has no tokens).
     *
     * @param mode          {@code metadata_token}: the node's mode, default optional
     * @param requiredPorts {@code metadata_token_required_ports}: port UUIDs that must send a token
     *                      whatever the node's mode
     * @param optionalPorts {@code metadata_token_optional_ports}: port UUIDs that need not
     * @param keyFile       {@code metadata_token_key_file}: the node key (tokens survive a restart);
     *                      null = a random key per start
     */
    public record Tokens(MetadataTokenMode mode, Set<String> requiredPorts, Set<String> optionalPorts, Path keyFile) {
        public Tokens {
            Objects.requireNonNull(mode);
            requiredPorts = Set.copyOf(requiredPorts);
            optionalPorts = Set.copyOf(optionalPorts);
        }

        /** The defaults: optional everywhere, a random key. */
        public static final Tokens DEFAULTS = new Tokens(MetadataTokenMode.OPTIONAL, Set.of(), Set.of(), null);
    }

    /**
     * {@code [FLOWS]}.
     *
     * @param maxVmFlowsPercent        {@code max_vm_flows}: % of the flow table one VM may hold
     * @param flowCacheTimeoutSeconds  {@code [DEFAULT] flow_cache_timeout}: idle flows are removed after this
     * @param guards                   ours: a flooding guest hurts only itself
     */
    public record Flows(double maxVmFlowsPercent, int maxSystemLinkLocalFlows, int maxVmLinkLocalFlows,
            int flowCacheTimeoutSeconds, FlowGuards guards) {
    }

    /**
     * {@code [FLOWS]} keys of ours (Contrail has no such knob).
     *
     * @param vmNewFlowRate          {@code vm_new_flow_rate}: new flows per second one VM may start (0: no limit)
     * @param vmNewFlowBurst         {@code vm_new_flow_burst}: new flows one VM may start at once
     * @param embryonicTimeoutSeconds {@code embryonic_flow_timeout}: idle seconds of a flow that never completed
     * @param dropTimeoutSeconds     {@code drop_flow_timeout}: idle seconds of a drop flow
     */
    public record FlowGuards(int vmNewFlowRate, int vmNewFlowBurst, int embryonicTimeoutSeconds,
            int dropTimeoutSeconds) {
        /** The flow table's defaults. */
        public static final FlowGuards DEFAULTS = new FlowGuards(FlowTableConfig.DEFAULT_NEW_FLOWS_PER_SECOND,
                FlowTableConfig.DEFAULT_NEW_FLOW_BURST,
                (int) (FlowTableConfig.DEFAULT_EMBRYONIC_TIMEOUT_NS / 1_000_000_000L),
                (int) (FlowTableConfig.DEFAULT_DROP_TIMEOUT_NS / 1_000_000_000L));
    }

    /**
     * {@code [LINKLOCAL]}: where the link-local services come from. With a {@code configApiUrl}
     * the agent watches the config API (last good answer kept in {@code cacheFile}); without,
     * it reads {@code servicesFile}, or the built-in default (metadata → 127.0.0.1:8775) when
     * that is null. {@code toString} hides the password.
     */
    public record LinkLocal(Path servicesFile, URI configApiUrl, String configApiUser, String configApiPassword,
            Path configApiCaCert, Path cacheFile) {
        public boolean usesConfigApi() {
            return configApiUrl != null;
        }

        @Override
        public String toString() {
            return "LinkLocal[servicesFile=" + (servicesFile == null ? "(built-in)" : servicesFile)
                    + ", configApiUrl=" + configApiUrl + ", configApiUser=" + configApiUser
                    + ", configApiPassword=" + (configApiPassword == null ? "null" : "(hidden)")
                    + ", configApiCaCert=" + configApiCaCert + ", cacheFile=" + cacheFile + "]";
        }
    }

    /**
     * {@code [DATAPLANE]}.
     *
     * @param enabled         {@code enabled}: false runs the agent without packet I/O (proxy-only
     *                        mode, for machines without libpcap or privileges)
     * @param routeTable      {@code route_table}: 0 puts the link-local route (169.254.0.0/16 via the
     *                        vhost) in the main table; otherwise this table, used by traffic from the
     *                        internal address only (several agents on one host)
     * @param portMode        {@code port_mode}: the agent owns each guest port (exclusive, default)
     *                        or shares it with the node's bridge/OVS, taking only link-local frames
     * @param internalAddress {@code internal_address}: the vhost veth's own /32, where the metadata
     *                        proxy and the relays listen; never the fabric {@code ip}
     * @param kernelFastPath  {@code kernel_fast_path}: established link-local TCP flows forwarded
     *                        by the kernel (eBPF) instead of the agent's thread (default true)
     * @param vhostNapiThread {@code vhost_napi_thread}: the vhost's kernel end receives in its own
     *                        NAPI kernel thread, not inside the dataplane thread's sends (default true)
     */
    public record Dataplane(boolean enabled, int routeTable, PortMode portMode, Inet4Address internalAddress,
                            boolean kernelFastPath, boolean vhostNapiThread) {
        /**
         * 198.18.0.0/15 is reserved for benchmarking (RFC 2544, RFC 6890: not forwardable on the
         * internet), so neither a fabric nor a tenant plan uses it, and it is outside 169.254/16
         * where the guests' metadata IPs (169.254.0.0 + interface index) live. One /32 of it, with
         * no subnet route: the host's routing table gains only 169.254.0.0/16 via the vhost.
         */
        public static final String DEFAULT_INTERNAL_ADDRESS = "198.18.169.254";

        public Dataplane {
            Objects.requireNonNull(portMode);
            Objects.requireNonNull(internalAddress);
        }

        /** With the kernel fast path and the vhost's NAPI thread. */
        public Dataplane(boolean enabled, int routeTable, PortMode portMode, Inet4Address internalAddress) {
            this(enabled, routeTable, portMode, internalAddress, true, true);
        }

        /** Exclusive ports on the default internal address. */
        public Dataplane(boolean enabled, int routeTable) {
            this(enabled, routeTable, PortMode.EXCLUSIVE, defaultInternalAddress());
        }

        public static Inet4Address defaultInternalAddress() {
            try {
                return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) 198, 18, (byte) 169, (byte) 254});
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
    }
}

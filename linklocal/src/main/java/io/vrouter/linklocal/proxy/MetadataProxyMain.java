package io.vrouter.linklocal.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The metadata proxy on its own, for benchmarks and manual runs (the agent embeds
 * {@link MetadataProxy} instead). Prints the bound address, then serves until killed; on
 * SIGTERM prints the counters.
 */
@Command(name = "metadata-proxy", mixinStandardHelpOptions = true,
        description = "Standalone vrouter metadata proxy: source address -> VM identity -> signed request to nova.")
public final class MetadataProxyMain implements Callable<Integer> {
    @Option(names = "--listen", defaultValue = "127.0.0.1", description = "address to listen on (default ${DEFAULT-VALUE})")
    String listen;
    @Option(names = "--port", defaultValue = "" + MetadataProxyConfig.DEFAULT_PORT, description = "port (default ${DEFAULT-VALUE})")
    int port;
    @Option(names = "--upstream", required = true, split = ",",
            description = "nova metadata host:port; repeat or comma-separate for several")
    List<String> upstreams;
    @Option(names = "--secret", required = true, description = "metadata_proxy_secret (nova's shared secret)")
    String secret;
    @Option(names = "--instances", required = true,
            description = "JSON file: {\"<source ip>\": {\"instance\": ..., \"tenant\": ..., \"ip\": ...}}")
    Path instances;
    @Option(names = "--io-threads", defaultValue = "" + MetadataProxyConfig.DEFAULT_IO_THREADS)
    int ioThreads;
    @Option(names = "--rate-limit", defaultValue = "" + MetadataProxyConfig.DEFAULT_RATE_LIMIT_PER_SECOND,
            description = "requests/s per VM, 0 disables (default ${DEFAULT-VALUE})")
    double rateLimit;
    @Option(names = "--rate-burst", defaultValue = "" + MetadataProxyConfig.DEFAULT_RATE_LIMIT_BURST)
    int rateBurst;
    @Option(names = "--max-connections-per-vm", defaultValue = "" + MetadataProxyConfig.DEFAULT_MAX_CONNECTIONS_PER_VM)
    int maxConnectionsPerVm;
    @Option(names = "--max-idle-upstream", defaultValue = "" + MetadataProxyConfig.DEFAULT_MAX_IDLE_UPSTREAM_CONNECTIONS,
            description = "idle keep-alive connections to nova per address and I/O thread (default ${DEFAULT-VALUE})")
    int maxIdleUpstream;
    @Option(names = "--connect-timeout-ms", defaultValue = "" + MetadataProxyConfig.DEFAULT_CONNECT_TIMEOUT_MS)
    int connectTimeoutMs;
    @Option(names = "--response-timeout-ms", defaultValue = "" + MetadataProxyConfig.DEFAULT_RESPONSE_TIMEOUT_MS)
    int responseTimeoutMs;
    @Option(names = "--keep-project-dashes", description = "send X-Tenant-ID with dashes (default: stripped)")
    boolean keepProjectDashes;
    @Option(names = "--nio", description = "use the NIO transport even where epoll is available")
    boolean nio;
    @Option(names = "--tls", description = "TLS to nova (metadata_use_ssl)")
    boolean tls;
    @Option(names = "--ca-cert", description = "PEM CA to verify nova with (default: JVM trust store)")
    Path caCert;
    @Option(names = "--client-cert", description = "PEM client certificate")
    Path clientCert;
    @Option(names = "--client-key", description = "PEM PKCS#8 client key")
    Path clientKey;
    @Option(names = "--insecure", description = "do NOT verify nova's certificate (explicit opt-in)")
    boolean insecure;

    public static void main(String[] args) {
        System.exit(new CommandLine(new MetadataProxyMain()).execute(args));
    }

    /** The configuration these options describe. @throws IllegalArgumentException on a bad value */
    MetadataProxyConfig config() throws UnknownHostException {
        return MetadataProxyConfig.builder()
                .bindAddress(InetAddress.getByName(listen)).port(port).sharedSecret(secret)
                .ioThreads(ioThreads).preferNativeTransport(!nio)
                .rateLimitPerSecond(rateLimit).rateLimitBurst(rateBurst)
                .maxConnectionsPerVm(maxConnectionsPerVm).maxIdleUpstreamConnections(maxIdleUpstream)
                .connectTimeoutMs(connectTimeoutMs).responseTimeoutMs(responseTimeoutMs)
                .stripProjectIdDashes(!keepProjectDashes)
                .tls(tls ? new TlsSettings(true, clientCert, clientKey, caCert, true, insecure) : TlsSettings.DISABLED)
                .build();
    }

    /** {@code host:port} or {@code [v6]:port}. @throws IllegalArgumentException naming the bad value */
    static InetSocketAddress hostPort(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("--upstream " + s + ": expected host:port");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int p;
        try {
            p = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--upstream " + s + ": port is not a number");
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("--upstream " + s + ": port must be 1-65535");
        }
        return new InetSocketAddress(host, p);
    }

    @Override
    public Integer call() throws Exception {
        MetadataProxyConfig config;
        List<InetSocketAddress> addresses = new ArrayList<>();
        Map<InetAddress, VmIdentity> map;
        try {
            config = config();
            for (String u : upstreams) {
                addresses.add(hostPort(u.trim()));
            }
            map = InstanceMapFile.load(instances);
        } catch (IllegalArgumentException | java.io.IOException e) {
            System.err.println("metadata-proxy: " + e.getMessage());
            return 2;
        }
        MetadataProxy proxy = new MetadataProxy(config, map::get, MetadataUpstreams.fixed(addresses));
        InetSocketAddress bound = proxy.start();
        System.out.println("metadata proxy listening on " + bound.getAddress().getHostAddress() + ":" + bound.getPort()
                + " (" + proxy.transport() + " transport), " + map.size() + " instances, upstreams " + addresses);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("metadata proxy counters: " + proxy.counters());
            proxy.close();
            stop.countDown();
        }));
        stop.await();
        return 0;
    }
}

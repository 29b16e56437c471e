package io.vrouter.linklocal.proxy;

import io.vrouter.plumbing.config.SettingRange;
import java.net.InetAddress;
import java.util.Objects;

/**
 * Everything the metadata proxy is configured with. Immutable; build with {@link #builder()}
 * (the canonical constructor validates the same way, and names the first bad setting).
 *
 * <h2>Limits</h2>
 * <table>
 * <caption>Limits and what the guest sees when one is hit</caption>
 * <tr><th>setting</th><th>default</th><th>when exceeded</th></tr>
 * <tr><td colspan="3">guest request decoder ({@code HttpRequestDecoder} + {@code HttpObjectAggregator})</td></tr>
 * <tr><td>{@code maxInitialLineLength}</td><td>{@value #DEFAULT_MAX_INITIAL_LINE_LENGTH} B</td>
 *     <td>{@code TooLongHttpLineException}: 414, close</td></tr>
 * <tr><td>{@code maxHeaderSize}</td><td>{@value #DEFAULT_MAX_HEADER_SIZE} B</td>
 *     <td>{@code TooLongHttpHeaderException}: 431, close</td></tr>
 * <tr><td>{@code maxRequestBodyBytes}</td><td>{@value #DEFAULT_MAX_REQUEST_BODY_BYTES} B</td>
 *     <td>413 (by Content-Length, or while a chunked body streams in), close</td></tr>
 * <tr><td>{@link #GUEST_DECODER_CHUNK_SIZE}</td><td>{@value #GUEST_DECODER_CHUNK_SIZE} B</td>
 *     <td>not a limit: the piece size a body is decoded in before aggregation</td></tr>
 * <tr><td colspan="3">nova response decoder ({@code HttpResponseDecoder} + {@code HttpObjectAggregator})</td></tr>
 * <tr><td>{@code maxResponseInitialLineLength}</td><td>{@value #DEFAULT_MAX_RESPONSE_INITIAL_LINE_LENGTH} B</td>
 *     <td>502, upstream connection discarded</td></tr>
 * <tr><td>{@code maxResponseHeaderSize}</td><td>{@value #DEFAULT_MAX_RESPONSE_HEADER_SIZE} B</td>
 *     <td>502, upstream connection discarded</td></tr>
 * <tr><td>{@code maxResponseBodyBytes}</td><td>{@value #DEFAULT_MAX_RESPONSE_BODY_BYTES} B</td>
 *     <td>502, upstream connection discarded</td></tr>
 * <tr><td>{@link #UPSTREAM_DECODER_CHUNK_SIZE}</td><td>{@value #UPSTREAM_DECODER_CHUNK_SIZE} B</td>
 *     <td>not a limit, as above</td></tr>
 * <tr><td colspan="3">time, connections and rate</td></tr>
 * <tr><td>{@code connectTimeoutMs}</td><td>{@value #DEFAULT_CONNECT_TIMEOUT_MS} ms</td><td>next address, else 503</td></tr>
 * <tr><td>{@code responseTimeoutMs}</td><td>{@value #DEFAULT_RESPONSE_TIMEOUT_MS} ms</td><td>504</td></tr>
 * <tr><td>{@code requestReadTimeoutMs}</td><td>{@value #DEFAULT_REQUEST_READ_TIMEOUT_MS} ms</td><td>408, close (slowloris)</td></tr>
 * <tr><td>{@code idleTimeoutMs}</td><td>{@value #DEFAULT_IDLE_TIMEOUT_MS} ms</td><td>close</td></tr>
 * <tr><td>{@code maxPipelinedRequests}</td><td>{@value #DEFAULT_MAX_PIPELINED_REQUESTS}</td><td>429, close</td></tr>
 * <tr><td>{@code rateLimitPerSecond} / {@code rateLimitBurst}</td><td>{@value #DEFAULT_RATE_LIMIT_PER_SECOND}/s,
 *     burst {@value #DEFAULT_RATE_LIMIT_BURST}</td><td>429 + Retry-After</td></tr>
 * <tr><td>{@code maxConnectionsPerVm}</td><td>{@value #DEFAULT_MAX_CONNECTIONS_PER_VM}</td><td>429, close</td></tr>
 * <tr><td colspan="3">the agent's log</td></tr>
 * <tr><td>{@code logLinesPerReason} per {@code logIntervalMs}</td><td>{@value #DEFAULT_LOG_LINES_PER_REASON}
 *     per {@value #DEFAULT_LOG_INTERVAL_MS} ms</td><td>further lines of that reason counted, not written; the
 *     next line written says how many were suppressed</td></tr>
 * </table>
 *
 * <p>Why these defaults: nova (eventlet.wsgi, {@code MAX_REQUEST_LINE}) reads request lines up to
 * 8 KiB and answers 404 for a long unknown path, so the proxy passes lines up to 8 KiB and lets
 * nova decide (a shorter limit here would answer 414 for what nova serves). cloud-init makes ~28 small GETs per boot over one keep-alive
 * connection, so 20 requests/s with a burst of 50 never slows a boot but bounds a loop in a
 * guest; nova caps the password POST at 1020 bytes, so 16 KiB of request body is plenty;
 * user-data is at most 64 KiB in nova but vendor data can be larger, hence 16 MiB responses.
 * A down fabric address is skipped for {@value #DEFAULT_UPSTREAM_DOWN_MS} ms, long enough not
 * to pay a connect timeout on every request, short enough to notice recovery quickly.
 * {@value #DEFAULT_MAX_IDLE_UPSTREAM_CONNECTIONS} idle nova connections per fabric address and
 * event loop: the pool must hold as many connections as a loop has requests at nova at once
 * (a boot storm: one per booting VM), or every request over the cap pays a TCP connect and
 * leaves nova a TIME_WAIT (with 8, 16 busy guest connections opened a new upstream connection
 * for one request in five). Connections are reused LIFO, so those above the steady concurrency
 * stay unused and close after {@code idleTimeoutMs}.
 */
public record MetadataProxyConfig(
        InetAddress bindAddress,
        int port,
        String sharedSecret,
        boolean stripProjectIdDashes,
        int ioThreads,
        boolean preferNativeTransport,
        int maxInitialLineLength,
        int maxHeaderSize,
        int maxRequestBodyBytes,
        int maxResponseBodyBytes,
        int maxResponseInitialLineLength,
        int maxResponseHeaderSize,
        int connectTimeoutMs,
        int responseTimeoutMs,
        int upstreamDownMs,
        int requestReadTimeoutMs,
        int idleTimeoutMs,
        int maxPipelinedRequests,
        double rateLimitPerSecond,
        int rateLimitBurst,
        int maxConnectionsPerVm,
        int maxIdleUpstreamConnections,
        int logLinesPerReason,
        int logIntervalMs,
        TlsSettings tls,
        MetadataTokenMode tokenMode) {
    /** {@code METADATA.metadata_proxy_port}. */
    public static final int DEFAULT_PORT = 8097;
    public static final int DEFAULT_IO_THREADS = 2;
    public static final int DEFAULT_MAX_INITIAL_LINE_LENGTH = 8192;
    public static final int DEFAULT_MAX_HEADER_SIZE = 8192;
    public static final int DEFAULT_MAX_REQUEST_BODY_BYTES = 16 * 1024;
    public static final int DEFAULT_MAX_RESPONSE_BODY_BYTES = 16 * 1024 * 1024;
    /** Nova's status line: "HTTP/1.1 200 OK" and the like; generous. */
    public static final int DEFAULT_MAX_RESPONSE_INITIAL_LINE_LENGTH = 4096;
    /** Nova sends a dozen short headers; 16 KiB leaves room for what a load balancer in front adds. */
    public static final int DEFAULT_MAX_RESPONSE_HEADER_SIZE = 16 * 1024;
    /** Netty's default piece size for the guest's (small) request bodies. */
    public static final int GUEST_DECODER_CHUNK_SIZE = 8192;
    /** Larger pieces for nova's bodies (vendor data, user-data): fewer pieces to aggregate. */
    public static final int UPSTREAM_DECODER_CHUNK_SIZE = 16 * 1024;
    public static final int DEFAULT_CONNECT_TIMEOUT_MS = 1000;
    public static final int DEFAULT_RESPONSE_TIMEOUT_MS = 10_000;
    public static final int DEFAULT_UPSTREAM_DOWN_MS = 10_000;
    public static final int DEFAULT_REQUEST_READ_TIMEOUT_MS = 10_000;
    public static final int DEFAULT_IDLE_TIMEOUT_MS = 60_000;
    public static final int DEFAULT_MAX_PIPELINED_REQUESTS = 16;
    public static final double DEFAULT_RATE_LIMIT_PER_SECOND = 20.0;
    public static final int DEFAULT_RATE_LIMIT_BURST = 50;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_VM = 16;
    public static final int DEFAULT_MAX_IDLE_UPSTREAM_CONNECTIONS = 32;
    /** Enough to show what is happening; a guest looping on a bad request adds one line per interval. */
    public static final int DEFAULT_LOG_LINES_PER_REASON = 10;
    public static final int DEFAULT_LOG_INTERVAL_MS = 10_000;

    public MetadataProxyConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(tokenMode, "tokenMode");
        if (sharedSecret == null || sharedSecret.isEmpty()) {
            throw new IllegalArgumentException(
                    "metadata_proxy_secret is required (it must equal nova's metadata_proxy_shared_secret)");
        }
        SettingRange.require("port", port, 0, 65535);
        SettingRange.require("ioThreads", ioThreads, 1, 256);
        SettingRange.require("maxInitialLineLength", maxInitialLineLength, 64, 1 << 20);
        SettingRange.require("maxHeaderSize", maxHeaderSize, 256, 1 << 20);
        SettingRange.require("maxRequestBodyBytes", maxRequestBodyBytes, 0, 1 << 30);
        SettingRange.require("maxResponseBodyBytes", maxResponseBodyBytes, 1024, 1 << 30);
        SettingRange.require("maxResponseInitialLineLength", maxResponseInitialLineLength, 64, 1 << 20);
        SettingRange.require("maxResponseHeaderSize", maxResponseHeaderSize, 256, 1 << 20);
        SettingRange.require("connectTimeoutMs", connectTimeoutMs, 1, 600_000);
        SettingRange.require("responseTimeoutMs", responseTimeoutMs, 1, 3_600_000);
        SettingRange.require("upstreamDownMs", upstreamDownMs, 0, 3_600_000);
        SettingRange.require("requestReadTimeoutMs", requestReadTimeoutMs, 1, 3_600_000);
        SettingRange.require("idleTimeoutMs", idleTimeoutMs, 1, 86_400_000);
        SettingRange.require("maxPipelinedRequests", maxPipelinedRequests, 1, 1024);
        SettingRange.require("rateLimitBurst", rateLimitBurst, 1, 1_000_000);
        SettingRange.require("maxConnectionsPerVm", maxConnectionsPerVm, 1, 1_000_000);
        SettingRange.require("maxIdleUpstreamConnections", maxIdleUpstreamConnections, 0, 10_000);
        SettingRange.require("logLinesPerReason", logLinesPerReason, 1, 1_000_000);
        SettingRange.require("logIntervalMs", logIntervalMs, 1, 86_400_000);
        if (!(rateLimitPerSecond >= 0) || Double.isInfinite(rateLimitPerSecond)) {
            throw new IllegalArgumentException(
                    "rateLimitPerSecond must be >= 0 (0 disables the limit), got " + rateLimitPerSecond);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Token refill rate per VM; 0 disables rate limiting. */
    @Override
    public double rateLimitPerSecond() { return rateLimitPerSecond; }

    /** Idle keep-alive connections kept per fabric address and event-loop thread. */
    @Override
    public int maxIdleUpstreamConnections() { return maxIdleUpstreamConnections; }

    /** Where the proxy listens and whether it uses TLS; never the shared secret (it must not reach a log). */
    @Override
    public String toString() {
        return "MetadataProxyConfig[" + bindAddress.getHostAddress() + ":" + port + ", tls=" + tls.enabled()
                + ", tokenMode=" + tokenMode.configName() + ", sharedSecret=(redacted)]";
    }

    /** Mutable builder; every setter validates in {@link #build()}. */
    public static final class Builder {
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port = DEFAULT_PORT;
        private String sharedSecret;
        private boolean stripProjectIdDashes = true;
        private int ioThreads = DEFAULT_IO_THREADS;
        private boolean preferNativeTransport = true;
        private int maxInitialLineLength = DEFAULT_MAX_INITIAL_LINE_LENGTH;
        private int maxHeaderSize = DEFAULT_MAX_HEADER_SIZE;
        private int maxRequestBodyBytes = DEFAULT_MAX_REQUEST_BODY_BYTES;
        private int maxResponseBodyBytes = DEFAULT_MAX_RESPONSE_BODY_BYTES;
        private int maxResponseInitialLineLength = DEFAULT_MAX_RESPONSE_INITIAL_LINE_LENGTH;
        private int maxResponseHeaderSize = DEFAULT_MAX_RESPONSE_HEADER_SIZE;
        private int connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
        private int responseTimeoutMs = DEFAULT_RESPONSE_TIMEOUT_MS;
        private int upstreamDownMs = DEFAULT_UPSTREAM_DOWN_MS;
        private int requestReadTimeoutMs = DEFAULT_REQUEST_READ_TIMEOUT_MS;
        private int idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
        private int maxPipelinedRequests = DEFAULT_MAX_PIPELINED_REQUESTS;
        private double rateLimitPerSecond = DEFAULT_RATE_LIMIT_PER_SECOND;
        private int rateLimitBurst = DEFAULT_RATE_LIMIT_BURST;
        private int maxConnectionsPerVm = DEFAULT_MAX_CONNECTIONS_PER_VM;
        private int maxIdleUpstreamConnections = DEFAULT_MAX_IDLE_UPSTREAM_CONNECTIONS;
        private int logLinesPerReason = DEFAULT_LOG_LINES_PER_REASON;
        private int logIntervalMs = DEFAULT_LOG_INTERVAL_MS;
        private TlsSettings tls = TlsSettings.DISABLED;
        private MetadataTokenMode tokenMode = MetadataTokenMode.OPTIONAL;

        private Builder() {
        }

        /** The vhost address to listen on (default: loopback). */
        public Builder bindAddress(InetAddress v) { bindAddress = v; return this; }
        /** 0 picks a free port (tests). */
        public Builder port(int v) { port = v; return this; }
        public Builder sharedSecret(String v) { sharedSecret = v; return this; }
        public Builder stripProjectIdDashes(boolean v) { stripProjectIdDashes = v; return this; }
        public Builder ioThreads(int v) { ioThreads = v; return this; }
        public Builder preferNativeTransport(boolean v) { preferNativeTransport = v; return this; }
        public Builder maxInitialLineLength(int v) { maxInitialLineLength = v; return this; }
        public Builder maxHeaderSize(int v) { maxHeaderSize = v; return this; }
        public Builder maxRequestBodyBytes(int v) { maxRequestBodyBytes = v; return this; }
        public Builder maxResponseBodyBytes(int v) { maxResponseBodyBytes = v; return this; }
        public Builder maxResponseInitialLineLength(int v) { maxResponseInitialLineLength = v; return this; }
        public Builder maxResponseHeaderSize(int v) { maxResponseHeaderSize = v; return this; }
        public Builder connectTimeoutMs(int v) { connectTimeoutMs = v; return this; }
        public Builder responseTimeoutMs(int v) { responseTimeoutMs = v; return this; }
        public Builder upstreamDownMs(int v) { upstreamDownMs = v; return this; }
        public Builder requestReadTimeoutMs(int v) { requestReadTimeoutMs = v; return this; }
        public Builder idleTimeoutMs(int v) { idleTimeoutMs = v; return this; }
        public Builder maxPipelinedRequests(int v) { maxPipelinedRequests = v; return this; }
        public Builder rateLimitPerSecond(double v) { rateLimitPerSecond = v; return this; }
        public Builder rateLimitBurst(int v) { rateLimitBurst = v; return this; }
        public Builder maxConnectionsPerVm(int v) { maxConnectionsPerVm = v; return this; }
        public Builder maxIdleUpstreamConnections(int v) { maxIdleUpstreamConnections = v; return this; }
        public Builder logLinesPerReason(int v) { logLinesPerReason = v; return this; }
        public Builder logIntervalMs(int v) { logIntervalMs = v; return this; }
        public Builder tls(TlsSettings v) { tls = v; return this; }
        /** The node's IMDSv2 token mode (default optional); per interface see {@link MetadataTokenPolicy}. */
        public Builder tokenMode(MetadataTokenMode v) { tokenMode = v; return this; }

        /** @throws IllegalArgumentException naming the first bad setting */
        public MetadataProxyConfig build() {
            return new MetadataProxyConfig(bindAddress, port, sharedSecret, stripProjectIdDashes, ioThreads,
                    preferNativeTransport, maxInitialLineLength, maxHeaderSize, maxRequestBodyBytes,
                    maxResponseBodyBytes, maxResponseInitialLineLength, maxResponseHeaderSize, connectTimeoutMs,
                    responseTimeoutMs, upstreamDownMs, requestReadTimeoutMs, idleTimeoutMs, maxPipelinedRequests,
                    rateLimitPerSecond, rateLimitBurst, maxConnectionsPerVm, maxIdleUpstreamConnections,
                    logLinesPerReason, logIntervalMs, tls, tokenMode);
        }
    }
}

package io.vrouter.linklocal.proxy;

import io.vrouter.plumbing.http.Handler;
import io.vrouter.plumbing.http.JsonHttpServer;
import io.vrouter.plumbing.http.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs the proxy's whole request path before the first guest does: a throwaway
 * {@link MetadataProxy} with the node's limits and token mode, on loopback, serves
 * {@code requests} requests from a loopback "VM" and forwards them, signed, to a loopback answerer
 * that checks the signature as nova does. Nothing reaches nova, and the node's proxy (its
 * counters, trace and pools) is not involved: what carries over is the JVM's, class loading,
 * lambda and string-concatenation bootstraps, the HMAC provider and the JIT's first compilations.
 * Without it the first guest after an agent start waited 60-80 ms more for its first answer
 * (benchmarks/scale with {@code WARM_PLUGS=0}: 92-133 ms, with it 33-50 ms).
 *
 * <p>It is also a start-up self-check of the path (decode, identify by source, sign, forward,
 * relay): {@link Result#failure()} says what went wrong. TLS to nova is not exercised (the
 * answerer is plain HTTP).
 *
 * <p>Bounded: a read waits at most {@link #READ_TIMEOUT_MS}, and the first failure (a timeout
 * included) ends the run.
 */
public final class ProxyWarmUp {
    /** Requests per connection, as cloud-init's keep-alive boot; then a new connection. */
    static final int REQUESTS_PER_CONNECTION = 20;
    static final int READ_TIMEOUT_MS = 2_000;
    static final String INSTANCE = "00000000-0000-4000-8000-0000000000fe";
    private static final VmIdentity VM = new VmIdentity(INSTANCE, "00000000000040008000000000000000", "127.0.0.1");
    private static final int MAX_RESPONSE_BYTES = 64 * 1024;

    /**
     * @param requests requests answered 200 with the signature accepted (a token PUT counts as one)
     * @param failure  null when all went through, else what the first failed one got
     */
    public record Result(int requests, long elapsedMs, String failure) {
    }

    private ProxyWarmUp() {
    }

    /**
     * @param node     the node's proxy settings: limits, token mode, transport and threads are kept;
     *                 address, port, secret, TLS and rate limit are the warm-up's own
     * @param requests how many guest requests to send (at least 1)
     */
    public static Result run(MetadataProxyConfig node, int requests) {
        return run(node, requests, ProxyWarmUp::novaLike);
    }

    /** Nova's answer to the warm-up VM: its data when the signature is the one expected, else 403. */
    private static Handler novaLike(String signature) {
        return req -> signature.equals(req.header("X-Instance-ID-Signature"))
                ? Response.ok(Map.of("uuid", INSTANCE, "hostname", "warm-up", "path", req.path()))
                : Response.of(403, Map.of("error", "Invalid proxy request signature."));
    }

    /** As {@link #run(MetadataProxyConfig, int)} against the answerer made for the expected signature. */
    static Result run(MetadataProxyConfig node, int requests, Function<String, Handler> answerer) {
        if (requests < 1) {
            throw new IllegalArgumentException("requests must be >= 1, got " + requests);
        }
        long t0 = System.nanoTime();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        byte[] key = new byte[16];
        new SecureRandom().nextBytes(key);
        String secret = HexFormat.of().formatHex(key);
        String signature = new InstanceSigner(secret).sign(INSTANCE);
        int done = 0;
        String failure;
        try (JsonHttpServer nova = JsonHttpServer.builder("metadata warm-up answerer",
                new InetSocketAddress(loopback, 0), 1024, answerer.apply(signature)).start()) {
            MetadataProxyConfig c = MetadataProxyConfig.builder().bindAddress(loopback).port(0).sharedSecret(secret)
                    .ioThreads(1).preferNativeTransport(node.preferNativeTransport())
                    .maxInitialLineLength(node.maxInitialLineLength()).maxHeaderSize(node.maxHeaderSize())
                    .rateLimitPerSecond(0).tokenMode(node.tokenMode()).build();
            try (MetadataProxy proxy = new MetadataProxy(c, source -> source.isLoopbackAddress() ? VM : null,
                    MetadataUpstreams.fixed(List.of(nova.localAddress())))) {
                InetSocketAddress at = proxy.start();
                Guest guest = new Guest(at);
                try {
                    failure = null;
                    while (done < requests && (failure = guest.next(done)) == null) {
                        done++;
                    }
                } finally {
                    guest.close();
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            failure = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        return new Result(done, (System.nanoTime() - t0) / 1_000_000, failure);
    }

    /** The loopback "VM": a token first on each connection, then GETs with it, keep-alive. */
    private static final class Guest {
        private final InetSocketAddress proxy;
        private Socket socket;
        private String token;

        Guest(InetSocketAddress proxy) {
            this.proxy = proxy;
        }

        /** Sends request {@code i}; null when answered as expected, else what the guest got. */
        String next(int i) throws IOException {
            if (i % REQUESTS_PER_CONNECTION == 0) {
                close();
                socket = new Socket(proxy.getAddress(), proxy.getPort());
                socket.setSoTimeout(READ_TIMEOUT_MS);
                socket.setTcpNoDelay(true);
                token = null;
            }
            String request;
            if (token == null) {
                request = "PUT " + TokenGate.TOKEN_PATH + " HTTP/1.1\r\nHost: 169.254.169.254\r\n"
                        + TokenGate.TTL_HEADER + ": 60\r\nContent-Length: 0\r\n\r\n";
            } else {
                request = "GET /openstack/latest/meta_data.json HTTP/1.1\r\nHost: 169.254.169.254\r\n"
                        + TokenGate.TOKEN_HEADER + ": " + token + "\r\n\r\n";
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String[] answer = readResponse(socket.getInputStream());
            if (!answer[0].startsWith("HTTP/1.1 200 ")) {
                return (token == null ? "token PUT" : "GET") + " answered " + answer[0] + ": " + answer[1];
            }
            if (token == null) {
                token = answer[1];
            } else if (!answer[1].contains(INSTANCE)) {
                return "GET answered 200 without the warm-up instance's data: " + answer[1];
            }
            return null;
        }

        void close() throws IOException {
            if (socket != null) {
                socket.close();
            }
        }
    }

    /** Status line and body of one response framed by Content-Length (what the proxy sends). */
    static String[] readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!(head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4)) {
            int b = in.read();
            if (b < 0 || head.length() > MAX_RESPONSE_BYTES) {
                throw new IOException("the proxy closed the connection or sent an endless header: " + head);
            }
            head.append((char) b);
        }
        int length = -1;
        for (String line : head.toString().split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
                length = Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        if (length < 0 || length > MAX_RESPONSE_BYTES) {
            throw new IOException("response without a usable Content-Length: " + head);
        }
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new IOException("the proxy closed the connection mid-body");
        }
        return new String[] {head.substring(0, head.indexOf("\r\n")), new String(body, StandardCharsets.UTF_8)};
    }
}

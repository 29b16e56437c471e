package io.vrouter.linklocal.novastandin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A stand-in for nova-api's metadata handler in proxy mode ({@code [neutron]
 * service_metadata_proxy = True}), checking headers in nova's order (contracts §1):
 * {@code GET /} needs no headers; missing X-Instance-ID / X-Instance-ID-Signature / X-Tenant-ID
 * or a repeated X-Instance-ID / X-Tenant-ID → 400; wrong, empty or upper-case signature → 403
 * "Invalid proxy request signature."; unknown instance → 404; tenant ≠ project → 404.
 * A request carrying {@code X-Metadata-Provider} gets 400: it would switch real nova to its
 * load-balancer mode, so it must never arrive through the proxy.
 *
 * <p>Knobs for tests (thread-safe, take effect on the next request): a response delay, a
 * forced status, closing the connection without answering, gzip'd (and chunked) responses.
 * Every request is recorded. Serves plain HTTP or TLS. Single event loop; not for load.
 */
public final class NovaMetadataStandIn implements AutoCloseable {
    static final List<String> EC2_VERSIONS = List.of("1.0", "2007-01-19", "2007-03-01", "2007-08-29",
            "2007-10-10", "2007-12-15", "2008-02-01", "2008-09-01", "2009-04-04", "latest");
    static final List<String> OPENSTACK_VERSIONS = List.of("2012-08-10", "2013-04-04", "2013-10-17",
            "2015-10-15", "2016-06-30", "2016-10-06", "2017-02-22", "2018-08-27", "2020-10-14", "latest");
    static final int MAX_PASSWORD_BYTES = 1020;
    /** eventlet.wsgi's {@code MAX_REQUEST_LINE}: nova answers 414 to a longer request line. */
    static final int MAX_REQUEST_LINE = 8192;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] secret;
    private final Map<String, StandInInstance> instances = new ConcurrentHashMap<>();
    private final Map<String, String> passwords = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<RecordedRequest> requests = new ConcurrentLinkedQueue<>();
    // Set by tests, read per request: each one on its own, so volatile is enough.
    private volatile long delayMs;
    private volatile int forcedStatus;
    private volatile boolean closeWithoutResponse;
    private volatile boolean gzip;
    private volatile boolean chunked;
    private final AtomicInteger connections = new AtomicInteger();
    private final SslContext ssl;
    private EventLoopGroup group;
    private Channel server;

    /** Plain HTTP. */
    public NovaMetadataStandIn(String sharedSecret) {
        this(sharedSecret, null);
    }

    /** TLS with this server context, or plain when null. */
    public NovaMetadataStandIn(String sharedSecret, SslContext ssl) {
        this.secret = sharedSecret.getBytes(StandardCharsets.UTF_8);
        this.ssl = ssl;
    }

    /** TLS from PEM files. */
    public static NovaMetadataStandIn withTls(String sharedSecret, File certChain, File key) throws IOException {
        return new NovaMetadataStandIn(sharedSecret, SslContextBuilder.forServer(certChain, key).build());
    }

    public NovaMetadataStandIn addInstance(StandInInstance i) {
        instances.put(i.uuid(), i);
        return this;
    }

    public synchronized InetSocketAddress start(InetAddress address, int port) throws InterruptedException {
        group = new NioEventLoopGroup(1, new DefaultThreadFactory("nova-standin", true));
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        if (ssl != null) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new HttpServerCodec(MAX_REQUEST_LINE, 65536, 8192),
                                new HttpObjectAggregator(1 << 20),
                                new Handler());
                    }
                }).bind(address, port).sync().channel();
        return (InetSocketAddress) server.localAddress();
    }

    public InetSocketAddress start() throws InterruptedException {
        return start(InetAddress.getLoopbackAddress(), 0);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Delay every response by this much (0: none). */
    public void delayMs(long ms) {
        delayMs = ms;
    }

    /** Answer every request with this status (0: behave normally). */
    public void failWith(int status) {
        forcedStatus = status;
    }

    /** Close the connection on every request without answering. */
    public void closeWithoutResponse(boolean on) {
        closeWithoutResponse = on;
    }

    /** gzip response bodies when the request accepts gzip. */
    public void gzip(boolean on) {
        gzip = on;
    }

    /** Send responses with Transfer-Encoding: chunked (in several chunks). */
    public void chunked(boolean on) {
        chunked = on;
    }

    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public void clearRequests() {
        requests.clear();
    }

    /** TCP connections accepted since start. */
    public int connectionsAccepted() {
        return connections.get();
    }

    /** The signature nova computes: lower-case hex HMAC-SHA256(secret, instance id). */
    public String expectedSignature(String instanceId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(instanceId.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code body} gzip'd exactly as the stand-in gzips responses, for byte comparisons. */
    public static byte[] gzipOf(byte[] body) {
        return gzipBytes(body);
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }

    /** Status and body nova would answer; pure function of the request and the instances. */
    Answer answer(String method, String uri, List<Map.Entry<String, String>> headers, byte[] body) {
        String path = uri;
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        if (path.equals("/") || path.isEmpty()) {
            return Answer.text(200, String.join("\n", EC2_VERSIONS));
        }
        if (!all(headers, "X-Metadata-Provider").isEmpty()) {
            return Answer.text(400, "X-Metadata-Provider switches nova to load-balancer mode; not accepted here.");
        }
        List<String> ids = all(headers, "X-Instance-ID");
        List<String> sigs = all(headers, "X-Instance-ID-Signature");
        List<String> tenants = all(headers, "X-Tenant-ID");
        if (ids.isEmpty()) {
            return Answer.text(400, "X-Instance-ID header is missing from request.");
        }
        if (sigs.isEmpty()) {
            return Answer.text(400, "X-Instance-ID-Signature header is missing from request.");
        }
        if (tenants.isEmpty()) {
            return Answer.text(400, "X-Tenant-ID header is missing from request.");
        }
        if (ids.size() > 1) {
            return Answer.text(400, "Multiple X-Instance-ID headers found within request.");
        }
        if (tenants.size() > 1) {
            return Answer.text(400, "Multiple X-Tenant-ID headers found within request.");
        }
        String id = ids.get(0);
        String expected = expectedSignature(id);
        String sig = sigs.get(sigs.size() - 1);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), sig.getBytes(StandardCharsets.UTF_8))) {
            return Answer.text(403, "Invalid proxy request signature.");
        }
        StandInInstance inst = instances.get(id);
        if (inst == null) {
            return Answer.text(404, "The resource could not be found.");
        }
        if (!inst.projectId().equals(tenants.get(0))) {
            return Answer.text(404, "The resource could not be found.");
        }
        List<String> xff = all(headers, "X-Forwarded-For");
        String remote = xff.isEmpty() ? "" : xff.get(0);
        return serve(inst, method, path, remote, body);
    }

    private Answer serve(StandInInstance inst, String method, String path, String remote, byte[] body) {
        String[] parts = path.substring(1).split("/", -1);
        if (parts.length > 0 && parts[parts.length - 1].isEmpty()) {
            parts = java.util.Arrays.copyOf(parts, parts.length - 1);
        }
        if (parts[0].equals("openstack")) {
            return serveOpenStack(inst, method, parts, body);
        }
        if (!EC2_VERSIONS.contains(parts[0])) {
            return Answer.text(404, "The resource could not be found.");
        }
        if (parts.length == 1) {
            return Answer.text(200, "meta-data/\nuser-data");
        }
        if (parts[1].equals("user-data") && parts.length == 2) {
            return inst.userData() == null ? Answer.text(404, "The resource could not be found.")
                    : Answer.text(200, inst.userData());
        }
        if (!parts[1].equals("meta-data")) {
            return Answer.text(404, "The resource could not be found.");
        }
        String rest = String.join("/", java.util.Arrays.copyOfRange(parts, 2, parts.length));
        String ec2Id = String.format("i-%08x", inst.uuid().hashCode());
        return switch (rest) {
            case "" -> Answer.text(200, String.join("\n", "ami-id", "ami-launch-index", "ami-manifest-path",
                    "block-device-mapping/", "hostname", "instance-action", "instance-id", "instance-type",
                    "local-hostname", "local-ipv4", "placement/", "public-hostname", "public-ipv4",
                    "public-keys/", "reservation-id", "security-groups"));
            case "ami-id" -> Answer.text(200, "ami-00000001");
            case "ami-launch-index" -> Answer.text(200, "0");
            case "ami-manifest-path" -> Answer.text(200, "FIXME");
            case "block-device-mapping" -> Answer.text(200, "ami\nroot");
            case "block-device-mapping/ami" -> Answer.text(200, "vda");
            case "block-device-mapping/root" -> Answer.text(200, "/dev/vda");
            case "hostname", "local-hostname", "public-hostname" -> Answer.text(200, inst.hostname() + ".novalocal");
            case "instance-action" -> Answer.text(200, "none");
            case "instance-id" -> Answer.text(200, ec2Id);
            case "instance-type" -> Answer.text(200, "m1.small");
            case "local-ipv4" -> Answer.text(200, remote);
            case "public-ipv4" -> Answer.text(200, "");
            case "placement" -> Answer.text(200, "availability-zone");
            case "placement/availability-zone" -> Answer.text(200, inst.availabilityZone());
            case "public-keys" -> inst.sshKey() == null ? Answer.text(404, "The resource could not be found.")
                    : Answer.text(200, "0=mykey");
            case "public-keys/0" -> inst.sshKey() == null ? Answer.text(404, "The resource could not be found.")
                    : Answer.text(200, "openssh-key");
            case "public-keys/0/openssh-key" -> inst.sshKey() == null
                    ? Answer.text(404, "The resource could not be found.") : Answer.text(200, inst.sshKey());
            case "reservation-id" -> Answer.text(200, "r-standin");
            case "security-groups" -> Answer.text(200, "default");
            default -> Answer.text(404, "The resource could not be found.");
        };
    }

    private Answer serveOpenStack(StandInInstance inst, String method, String[] parts, byte[] body) {
        if (parts.length == 1) {
            return Answer.text(200, String.join("\n", OPENSTACK_VERSIONS));
        }
        if (!OPENSTACK_VERSIONS.contains(parts[1])) {
            return Answer.text(404, "The resource could not be found.");
        }
        if (parts.length == 2) {
            return Answer.text(200, String.join("\n", "meta_data.json", "password", "vendor_data.json",
                    "network_data.json", "vendor_data2.json", "user_data"));
        }
        if (parts.length != 3) {
            return Answer.text(404, "The resource could not be found.");
        }
        return switch (parts[2]) {
            case "meta_data.json" -> Answer.json(metaDataJson(inst));
            case "user_data" -> inst.userData() == null ? Answer.text(404, "The resource could not be found.")
                    : Answer.text(200, inst.userData());
            case "vendor_data.json", "vendor_data2.json" -> Answer.json("{}");
            case "network_data.json" -> Answer.json("{\"links\": [], \"networks\": [], \"services\": []}");
            case "password" -> password(inst, method, body);
            default -> Answer.text(404, "The resource could not be found.");
        };
    }

    private Answer password(StandInInstance inst, String method, byte[] body) {
        if (method.equals("GET") || method.equals("HEAD")) {
            return Answer.text(200, passwords.getOrDefault(inst.uuid(), ""));
        }
        if (!method.equals("POST")) {
            return Answer.text(400, "Bad request");
        }
        if (body.length > MAX_PASSWORD_BYTES) {
            return Answer.text(400, "Request is too large.");
        }
        if (passwords.putIfAbsent(inst.uuid(), new String(body, StandardCharsets.UTF_8)) != null) {
            return Answer.text(409, "Password already set.");
        }
        return Answer.text(200, "");
    }

    private static String metaDataJson(StandInInstance inst) {
        ObjectNode n = JSON.createObjectNode();
        n.put("uuid", inst.uuid());
        n.put("name", inst.hostname());
        n.put("hostname", inst.hostname() + ".novalocal");
        n.put("availability_zone", inst.availabilityZone());
        n.put("project_id", inst.projectId());
        n.put("launch_index", 0);
        n.putObject("meta");
        n.putArray("devices");
        if (inst.sshKey() != null) {
            n.putObject("public_keys").put("mykey", inst.sshKey());
            ArrayNode keys = n.putArray("keys");
            keys.addObject().put("name", "mykey").put("type", "ssh").put("data", inst.sshKey());
        }
        return n.toString();
    }

    private static List<String> all(List<Map.Entry<String, String>> headers, String name) {
        List<String> out = new ArrayList<>(1);
        for (Map.Entry<String, String> e : headers) {
            if (e.getKey().equalsIgnoreCase(name)) {
                out.add(e.getValue());
            }
        }
        return out;
    }

    static byte[] gzipBytes(byte[] body) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bos.toByteArray();
    }

    /** What the stand-in answers. */
    record Answer(int status, String contentType, byte[] body) {
        static Answer text(int status, String body) {
            return new Answer(status, "text/plain; charset=UTF-8", body.getBytes(StandardCharsets.UTF_8));
        }

        static Answer json(String body) {
            return new Answer(200, "application/json", body.getBytes(StandardCharsets.UTF_8));
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            req.headers().iteratorAsString().forEachRemaining(
                    e -> headers.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue())));
            byte[] body = ByteBufUtil.getBytes(req.content());
            String method = req.method().name();
            if (!req.decoderResult().isSuccess()) {
                int status = req.decoderResult().cause() instanceof TooLongHttpLineException ? 414 : 400;
                write(ctx, Answer.text(status, "Bad request line."), false, false, false);
                return;
            }
            int forced = forcedStatus;
            Answer a = forced != 0 ? Answer.text(forced, "forced by the test")
                    : answer(method, req.uri(), headers, body);
            requests.add(new RecordedRequest(method, req.uri(), List.copyOf(headers), body, a.status()));
            if (closeWithoutResponse) {
                ctx.close();
                return;
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            String acceptEncoding = req.headers().get(HttpHeaderNames.ACCEPT_ENCODING, "");
            boolean head = req.method() == HttpMethod.HEAD;
            Runnable respond = () -> write(ctx, a, keepAlive, gzip && acceptEncoding.contains("gzip"), head);
            long delay = delayMs;
            if (delay > 0) {
                ctx.executor().schedule(respond, delay, TimeUnit.MILLISECONDS);
            } else {
                respond.run();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // e.g. a TLS client that rejected our certificate: expected in tests
        }

        private void write(ChannelHandlerContext ctx, Answer a, boolean keepAlive, boolean gz, boolean head) {
            if (!ctx.channel().isActive()) {
                return;
            }
            byte[] body = gz ? gzipBytes(a.body()) : a.body();
            HttpResponseStatus status = HttpResponseStatus.valueOf(a.status());
            ChannelFutureListener after = keepAlive ? null : ChannelFutureListener.CLOSE;
            if (chunked && !head) {
                HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, a.contentType());
                r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                if (gz) {
                    r.headers().set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
                }
                ctx.write(r);
                int half = body.length / 2;
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(body, 0, half)));
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(body, half, body.length - half)));
                var f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                if (after != null) {
                    f.addListener(after);
                }
                return;
            }
            ByteBuf content = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, a.contentType());
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            if (gz) {
                r.headers().set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
            }
            if (!keepAlive) {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            var f = ctx.writeAndFlush(r);
            if (after != null) {
                f.addListener(after);
            }
        }
    }

    /** Header names the stand-in treats as identity (for tests that compare). */
    public static final Set<String> IDENTITY_HEADERS = Set.of("X-Instance-ID", "X-Tenant-ID", "X-Forwarded-For",
            "X-Instance-ID-Signature");
}

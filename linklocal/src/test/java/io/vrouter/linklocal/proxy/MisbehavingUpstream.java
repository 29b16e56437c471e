package io.vrouter.linklocal.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An upstream that breaks HTTP on purpose, for the proxy's tests: NOT the nova stand-in (which
 * behaves as nova does). A plain socket server on loopback: for every request head it reads on
 * a connection, it writes exactly the byte chunks its script returns, each flushed on its own
 * after a short pause, so a test decides what arrives in which TCP segment (interim responses,
 * extra responses, responses split across writes). Thread per connection; for a handful of
 * requests, not for load.
 */
final class MisbehavingUpstream implements AutoCloseable {
    /** The request line and headers (names lower-cased) the upstream read. */
    record RequestHead(String method, String target, Map<String, String> headers) {
        String instanceId() {
            return headers.getOrDefault("x-instance-id", "none");
        }
    }

    /** Pause between the chunks of one answer: long enough for the proxy to read them apart. */
    static final long PAUSE_MS = 50;

    private final ServerSocket server;
    private final Supplier<Function<RequestHead, List<byte[]>>> scripts;
    private final AtomicInteger connections = new AtomicInteger();
    private final ConcurrentLinkedQueue<Socket> sockets = new ConcurrentLinkedQueue<>();
    private final ExecutorService perConnection = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "misbehaving-upstream-conn");
        t.setDaemon(true);
        return t;
    });

    /** @param scripts one script per accepted connection (it may keep state across that connection's requests) */
    MisbehavingUpstream(Supplier<Function<RequestHead, List<byte[]>>> scripts) throws IOException {
        this.scripts = scripts;
        server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "misbehaving-upstream");
        t.setDaemon(true);
        t.start();
    }

    /** An HTTP/1.1 200 with Content-Length whose body names the instance the proxy asked for. */
    static byte[] okNaming(RequestHead r, String label) {
        String body = label + " for " + r.instanceId();
        return ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    int connectionsAccepted() {
        return connections.get();
    }

    /** One thread per connection: the scripts pause between writes, and connections are few. */
    private void acceptLoop() {
        try {
            for (;;) {
                Socket accepted = server.accept();
                connections.incrementAndGet();
                sockets.add(accepted);
                Function<RequestHead, List<byte[]>> script = scripts.get();
                perConnection.execute(() -> serve(accepted, script));
            }
        } catch (IOException e) {
            // closed by close()
        }
    }

    private static void serve(Socket s, Function<RequestHead, List<byte[]>> script) {
        try (s) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            RequestHead head;
            while ((head = readHead(in)) != null) {
                List<byte[]> chunks = script.apply(head);
                for (int i = 0; i < chunks.size(); i++) {
                    if (i > 0) {
                        Thread.sleep(PAUSE_MS);
                    }
                    out.write(chunks.get(i));
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            // The proxy closed the connection: what it made of the answer is the test's assertion.
        }
    }

    /** Reads one request head (and skips a Content-Length body); null at end of stream. */
    private static RequestHead readHead(InputStream in) throws IOException {
        String requestLine = line(in);
        if (requestLine == null) {
            return null;
        }
        Map<String, String> headers = new TreeMap<>();
        String l;
        while ((l = line(in)) != null && !l.isEmpty()) {
            int c = l.indexOf(':');
            headers.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
        }
        String len = headers.get("content-length");
        if (len != null) {
            in.readNBytes(Integer.parseInt(len));
        }
        String[] parts = requestLine.split(" ");
        return new RequestHead(parts[0], parts.length > 1 ? parts[1] : "", headers);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                bos.write(b);
            }
        }
        return b == -1 && bos.size() == 0 ? null : bos.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
        perConnection.shutdownNow();
    }
}

package io.vrouter.linklocal.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A guest's HTTP/1.1 client over a plain socket bound to a chosen loopback source address
 * (the VM's "metadata IP" in these tests): sends raw bytes, so tests can send what real
 * clients never would (forged headers, pipelined, malformed, slow requests).
 */
final class RawHttpClient implements AutoCloseable {
    record Response(int status, List<Map.Entry<String, String>> headers, byte[] body) {
        String header(String name) {
            for (Map.Entry<String, String> e : headers) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue();
                }
            }
            return null;
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttpClient(String sourceIp, InetSocketAddress server) throws IOException {
        socket = new Socket();
        socket.setSoTimeout(10_000);
        socket.bind(new InetSocketAddress(InetAddress.getByName(sourceIp), 0));
        socket.connect(server, 5_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    static String get(String path, String... extraHeaderLines) {
        StringBuilder sb = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: 169.254.169.254\r\n");
        for (String h : extraHeaderLines) {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    RawHttpClient send(String raw) throws IOException {
        return send(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawHttpClient send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
        return this;
    }

    Response exchange(String raw) throws IOException {
        return send(raw).read(false);
    }

    /** Reads one response; {@code head}: the request was HEAD (no body follows). */
    Response read(boolean head) throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        String l;
        while ((l = line()) != null && !l.isEmpty()) {
            int c = l.indexOf(':');
            headers.add(Map.entry(l.substring(0, c).trim(), l.substring(c + 1).trim()));
        }
        Response shell = new Response(status, headers, new byte[0]);
        String len = shell.header("Content-Length");
        String te = shell.header("Transfer-Encoding");
        byte[] body;
        if (head || status == 204 || status == 304) {
            body = new byte[0];
        } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(line().split(";")[0].trim(), 16);
                if (size == 0) {
                    while (!line().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                bos.write(in.readNBytes(size));
                line();
            }
            body = bos.toByteArray();
        } else if (len != null) {
            body = in.readNBytes(Integer.parseInt(len));
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, headers, body);
    }

    /** True when the server closed the connection (EOF within the socket timeout). */
    boolean closedByPeer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    /** Half-closes: the guest sends nothing more (SHUT_WR) but still reads. */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    void soTimeout(int ms) throws IOException {
        socket.setSoTimeout(ms);
    }

    private String line() throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                bos.write(b);
            }
        }
        if (b == -1 && bos.size() == 0) {
            return null;
        }
        return bos.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

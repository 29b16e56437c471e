package io.vrouter.provision.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One keep-alive HTTP/1.1 connection on which a test writes requests byte for byte as a given
 * client does (python-requests for {@code vnc_api}) and reads Content-Length framed answers.
 */
final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp(InetSocketAddress server) throws IOException {
        socket = new Socket();
        socket.connect(server, 5000);
        socket.setSoTimeout(20_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    record Answer(int status, Map<String, String> headers, String body) {
        JsonNode json() throws IOException {
            return ApiClient.JSON.readTree(body);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /** Sends {@code head} (request line and headers, CRLF-separated, no blank line) and {@code body}. */
    Answer exchange(String head, String body) throws IOException {
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String h = head + (body == null ? "" : "\r\nContent-Length: " + b.length) + "\r\n\r\n";
        out.write(h.getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
        return read();
    }

    private Answer read() throws IOException {
        String status = line();
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(); !l.isEmpty(); l = line()) {
            int c = l.indexOf(':');
            headers.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
        }
        int n = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(n);
        return new Answer(Integer.parseInt(status.split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed mid-answer");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

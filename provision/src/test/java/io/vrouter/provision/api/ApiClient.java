package io.vrouter.provision.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;

/** A small HTTP client for the API tests (java.net.http). */
final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();

    final String base;
    private final HttpClient http;
    private String authorization;

    ApiClient(String base) {
        this(base, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    ApiClient(String base, SSLContext ssl) {
        this(base, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(ssl).build());
    }

    private ApiClient(String base, HttpClient http) {
        this.base = base;
        this.http = http;
    }

    static ApiClient of(ConfigApiServer s) {
        return new ApiClient((s.tls() ? "https" : "http") + "://127.0.0.1:" + s.port());
    }

    ApiClient as(String user, String password) {
        ApiClient c = new ApiClient(base, http);
        c.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return c;
    }

    /** Status, headers and the body parsed as JSON (null when empty). */
    record Reply(int status, java.net.http.HttpHeaders headers, String text) {
        JsonNode json() {
            try {
                return text.isEmpty() ? null : JSON.readTree(text);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + text, e);
            }
        }

        long etag() {
            String e = headers.firstValue("etag").orElseThrow(() -> new AssertionError("no ETag"));
            return Long.parseLong(e.replace("\"", ""));
        }

        @Override
        public String toString() {
            return status + " " + text;
        }
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    Reply send(HttpRequest r) throws IOException, InterruptedException {
        HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
        return new Reply(resp.statusCode(), resp.headers(), resp.body());
    }

    CompletableFuture<Reply> sendAsync(HttpRequest r) {
        return http.sendAsync(r, HttpResponse.BodyHandlers.ofString())
                .thenApply(resp -> new Reply(resp.statusCode(), resp.headers(), resp.body()));
    }

    Reply get(String path) throws IOException, InterruptedException {
        return send(request(path).GET().build());
    }

    Reply post(String path, String body) throws IOException, InterruptedException {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    Reply put(String path, String ifMatch, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path).PUT(HttpRequest.BodyPublishers.ofString(body));
        if (ifMatch != null) {
            b.header("If-Match", ifMatch);
        }
        return send(b.build());
    }

    String uuid() throws IOException, InterruptedException {
        return get("/global-vrouter-configs").json().get("global-vrouter-configs").get(0).get("uuid").asText();
    }

    /** {@code {"global-vrouter-config": {"linklocal_services": ...}}} with one metadata entry. */
    static String metadataBody(String fabricIp, int port) {
        return "{\"global-vrouter-config\": {\"linklocal_services\": {\"linklocal_service_entry\": [{"
                + "\"linklocal_service_name\": \"metadata\", \"linklocal_service_ip\": \"169.254.169.254\", "
                + "\"linklocal_service_port\": " + port + ", \"ip_fabric_service_ip\": [\"" + fabricIp + "\"], "
                + "\"ip_fabric_service_port\": 8775}]}}}";
    }
}

package io.vrouter.linklocal.configclient;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A throw-away self-signed server certificate made with the JDK's keytool (no extra library),
 * as a server {@link SSLContext} and the certificate as a PEM "CA file" for clients.
 */
public final class TestCertificates {
    private static final char[] PASSWORD = "changeit".toCharArray();

    public final Path caPem;
    public final SSLContext serverContext;

    private TestCertificates(Path caPem, SSLContext serverContext) {
        this.caPem = caPem;
        this.serverContext = serverContext;
    }

    /** A certificate for {@code san} (e.g. {@code ip:127.0.0.1} or {@code dns:other.example}). */
    public static TestCertificates create(Path dir, String san) throws IOException, InterruptedException,
            GeneralSecurityException {
        Path p12 = dir.resolve("server-" + Math.abs(san.hashCode()) + ".p12");
        Path pem = dir.resolve("ca-" + Math.abs(san.hashCode()) + ".pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(List.of(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=config-api-test", "-ext", "SAN=" + san, "-validity", "2",
                "-keystore", p12.toString(), "-storetype", "PKCS12",
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, PASSWORD);
        }
        String body = java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .encodeToString(ks.getCertificate("server").getEncoded());
        Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n");
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return new TestCertificates(pem, ctx);
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + cmd + "\n" + out);
        }
    }
}

package io.vrouter.linklocal.novastandin;

import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test certificates: a CA, and server or client certificates it signs (valid for 127.0.0.1,
 * ::1 and localhost), written as PEM files. A second {@code TestPki} is a different, untrusted
 * CA. EC P-256 keys: fast to generate.
 */
public final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final KeyPair caKeys;
    private final X509Certificate caCert;
    private final Path dir;
    private final Path caFile;

    /** A new CA whose files go under {@code dir}. */
    public TestPki(Path dir, String name) throws Exception {
        this.dir = dir;
        this.caKeys = newKeys();
        X500Name subject = new X500Name("CN=" + name);
        X509v3CertificateBuilder b = builder(subject, subject, caKeys);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        this.caCert = sign(b, caKeys.getPrivate());
        Files.createDirectories(dir);
        this.caFile = dir.resolve(name + "-ca.pem");
        write(caFile, caCert);
    }

    /** The CA certificate file. */
    public Path caFile() {
        return caFile;
    }

    /** A certificate for loopback (127.0.0.1, ::1, localhost) signed by this CA: {cert file, key file}. */
    public Path[] issue(String name) throws Exception {
        return issueFor(name, "127.0.0.1", "::1", "localhost");
    }

    /** A certificate naming exactly {@code names} (IP literals or DNS names): {cert file, key file}. */
    public Path[] issueFor(String name, String... names) throws Exception {
        KeyPair keys = newKeys();
        X509v3CertificateBuilder b = builder(new X500Name(caCert.getSubjectX500Principal().getName()),
                new X500Name("CN=" + name), keys);
        GeneralName[] sans = new GeneralName[names.length];
        for (int i = 0; i < names.length; i++) {
            boolean ip = names[i].indexOf(':') >= 0 || names[i].chars().allMatch(c -> c == '.' || Character.isDigit(c));
            sans[i] = new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, names[i]);
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
        X509Certificate cert = sign(b, caKeys.getPrivate());
        Path certFile = dir.resolve(name + "-cert.pem");
        Path keyFile = dir.resolve(name + "-key.pem");
        write(certFile, cert);
        write(keyFile, keys.getPrivate());
        return new Path[] {certFile, keyFile};
    }

    private static KeyPair newKeys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))),
                subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws Exception {
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    private static void write(Path file, Object o) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o instanceof PrivateKey k ? new JcaPKCS8Generator(k, null) : o);
        }
        try (Writer out = Files.newBufferedWriter(file)) {
            out.write(sw.toString());
        }
    }
}

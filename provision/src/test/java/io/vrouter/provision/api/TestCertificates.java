package io.vrouter.provision.api;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A CA and a server certificate for 127.0.0.1 (IP SAN), written as PEM files, for TLS tests.
 *
 * @param caCert     the CA certificate (PEM)
 * @param serverCert the server certificate the CA signed (PEM)
 * @param serverKey  its private key (PEM, PKCS#8)
 * @param ca         the CA certificate, for a client trust store
 */
record TestCertificates(Path caCert, Path serverCert, Path serverKey, X509Certificate ca) {
    static TestCertificates create(Path dir) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(256);
        KeyPair caKeys = gen.generateKeyPair();
        KeyPair serverKeys = gen.generateKeyPair();
        Date from = new Date(System.currentTimeMillis() - 60_000);
        Date to = new Date(System.currentTimeMillis() + 86_400_000L);
        X500Name caName = new X500Name("CN=config-api test CA");
        JcaX509v3CertificateBuilder caB = new JcaX509v3CertificateBuilder(caName, BigInteger.ONE, from, to, caName,
                caKeys.getPublic());
        caB.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        X509Certificate ca = sign(caB, caKeys);
        JcaX509v3CertificateBuilder srvB = new JcaX509v3CertificateBuilder(caName, BigInteger.TWO, from, to,
                new X500Name("CN=127.0.0.1"), serverKeys.getPublic());
        srvB.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        X509Certificate server = sign(srvB, caKeys);
        Path caPem = dir.resolve("ca.pem");
        Path certPem = dir.resolve("server.pem");
        Path keyPem = dir.resolve("server.key");
        Files.writeString(caPem, pem(ca));
        Files.writeString(certPem, pem(server));
        Files.writeString(keyPem, pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(serverKeys.getPrivate(), null)));
        return new TestCertificates(caPem, certPem, keyPem, ca);
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair signer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }

    private static String pem(Object o) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        }
        return sw.toString();
    }
}

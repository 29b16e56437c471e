package io.vrouter.linklocal.proxy;

import java.nio.file.Path;

/**
 * TLS towards nova ({@code METADATA.metadata_use_ssl} and friends in agent.conf).
 *
 * <p>The server is verified by default: against {@code caCert} when given, else against the
 * JVM's default trust store, and its certificate must name the address the proxy connected to
 * (hostname/IP check) unless {@code verifyHostname} is false. Verification is skipped only
 * when {@code insecure} is set explicitly, which the proxy logs as a warning at start. Contrail
 * skips verification silently when the CA is empty; we do not.
 *
 * @param enabled        use TLS to the upstream
 * @param clientCert     PEM client certificate chain, or null (no client authentication)
 * @param clientKey      PEM PKCS#8 private key for {@code clientCert}, or null
 * @param caCert         PEM CA bundle to verify nova with, or null for the JVM defaults
 * @param verifyHostname check that the certificate names the upstream address
 * @param insecure       accept any server certificate (explicit opt-in only)
 */
public record TlsSettings(boolean enabled, Path clientCert, Path clientKey, Path caCert,
                          boolean verifyHostname, boolean insecure) {

    /** Plain HTTP to the upstream. */
    public static final TlsSettings DISABLED = new TlsSettings(false, null, null, null, true, false);

    public TlsSettings {
        if ((clientCert == null) != (clientKey == null)) {
            throw new IllegalArgumentException(
                    "metadata_client_cert and metadata_client_key must be given together");
        }
    }

    /** TLS verifying the server against {@code caCert} (null: JVM defaults), no client cert. */
    public static TlsSettings verifying(Path caCert) {
        return new TlsSettings(true, null, null, caCert, true, false);
    }
}

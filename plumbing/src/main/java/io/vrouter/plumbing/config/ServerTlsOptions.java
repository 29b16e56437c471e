package io.vrouter.plumbing.config;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The flags every HTTP server of ours takes to switch on TLS, as a picocli mixin
 * ({@code @Mixin ServerTlsOptions tls;}): {@code --tls-cert} and {@code --tls-key}, both or
 * neither. In a command with an {@link IniDefaultProvider} they are also the file keys
 * {@code tls_cert} and {@code tls_key}.
 */
public final class ServerTlsOptions {
    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "server certificate chain (PEM); with --tls-key switches on TLS")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "server private key (PEM, PKCS#8 or PKCS#1)")
    Path key;

    /** True when both files are given (after {@link #check()}). */
    public boolean enabled() {
        return cert != null;
    }

    /** The certificate chain; null without TLS. */
    public Path cert() {
        return cert;
    }

    /** The private key; null without TLS. */
    public Path key() {
        return key;
    }

    /** @throws IllegalArgumentException when only one of the two is given, or one cannot be read */
    public void check() {
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("TLS needs both a certificate and a key (--tls-cert and --tls-key)");
        }
        for (Path p : new Path[] {cert, key}) {
            if (p != null && !Files.isReadable(p)) {
                throw new IllegalArgumentException("cannot read " + p);
            }
        }
    }
}

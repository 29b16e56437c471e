package io.vrouter.agent.config;

import java.nio.file.Path;
import java.util.Locale;

/** {@code [METADATA]} of agent.conf: nova's shared secret, the proxy's port, TLS to nova, per-VM limits. */
final class MetadataSection {
    private static final String METADATA = AgentConfigParser.METADATA;

    private final ConfReader r;

    MetadataSection(ConfReader r) {
        this.r = r;
    }

    AgentConfig.Metadata read() {
        String secret = r.get(METADATA, "metadata_proxy_secret");
        if (secret == null || secret.isEmpty()) {
            r.required(METADATA, "metadata_proxy_secret", "the secret shared with nova ([neutron] metadata_proxy_shared_secret)");
            secret = "";
        } else if (secret.length() < 16) {
            r.warnings.add("[" + METADATA + "] metadata_proxy_secret is only " + secret.length()
                    + " characters: anyone who guesses it can read every VM's metadata; use 32 or more");
        }
        int port = r.port(METADATA, "metadata_proxy_port", AgentConfigParser.DEFAULT_METADATA_PROXY_PORT);
        boolean ssl = r.bool(METADATA, "metadata_use_ssl", false);
        Path cert = r.path(METADATA, "metadata_client_cert", null);
        String certType = r.string(METADATA, "metadata_client_cert_type", "PEM",
                s -> "PEM".equalsIgnoreCase(s), "PEM (the only format supported)");
        Path key = r.path(METADATA, "metadata_client_key", null);
        Path ca = r.path(METADATA, "metadata_ca_cert", null);
        boolean insecure = r.bool(METADATA, "metadata_ssl_insecure", false);
        int rate = r.integer(METADATA, "metadata_rate_limit", AgentConfigParser.DEFAULT_METADATA_RATE_LIMIT, 0, 100_000);
        int burst = r.integer(METADATA, "metadata_rate_burst", AgentConfigParser.DEFAULT_METADATA_RATE_BURST, 1, 100_000);
        int concurrent = r.integer(METADATA, "metadata_max_connections",
                AgentConfigParser.DEFAULT_METADATA_MAX_CONNECTIONS, 1, 10_000);
        if (ssl) {
            if ((cert == null) != (key == null)) {
                r.errors.add("[" + METADATA + "] metadata_client_cert and metadata_client_key must be given together"
                        + " (client certificate authentication needs both)");
            }
            if (ca == null && !insecure) {
                r.errors.add("[" + METADATA + "] metadata_use_ssl = true needs metadata_ca_cert to verify nova's"
                        + " certificate (or metadata_ssl_insecure = true to skip verification explicitly)");
            }
            if (ca != null && insecure) {
                r.warnings.add("[" + METADATA + "] metadata_ssl_insecure = true: metadata_ca_cert is ignored");
            }
            r.readable(METADATA, "metadata_client_cert", cert);
            r.readable(METADATA, "metadata_client_key", key);
            r.readable(METADATA, "metadata_ca_cert", insecure ? null : ca);
        } else if (insecure) {
            r.warnings.add("[" + METADATA + "] metadata_ssl_insecure has no effect without metadata_use_ssl = true");
        }
        return new AgentConfig.Metadata(secret, port, ssl, cert, certType.toUpperCase(Locale.ROOT), key, ca, insecure,
                rate, burst, concurrent);
    }
}

package io.vrouter.agent.config;

import io.vrouter.linklocal.proxy.MetadataTokenMode;
import io.vrouter.linklocal.proxy.MetadataTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * {@code [METADATA]} of agent.conf: nova's shared secret, the proxy's port, TLS to nova, per-VM
 * limits, IMDSv2 tokens (node mode, per-port exceptions, key file).
 */
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
                rate, burst, concurrent, tokens());
    }

    /** {@code metadata_token}, {@code metadata_token_required_ports} / {@code _optional_ports}, {@code metadata_token_key_file}. */
    private AgentConfig.Tokens tokens() {
        String m = r.string(METADATA, "metadata_token", MetadataTokenMode.OPTIONAL.configName(),
                v -> MetadataTokenMode.parse(v) != null, "optional or required");
        Set<String> required = Set.copyOf(portIds("metadata_token_required_ports"));
        Set<String> optional = Set.copyOf(portIds("metadata_token_optional_ports"));
        Set<String> both = new HashSet<>(required);
        both.retainAll(optional);
        if (!both.isEmpty()) {
            r.errors.add("[" + METADATA + "] metadata_token_required_ports and metadata_token_optional_ports both name "
                    + both.stream().sorted().toList() + ": a port has one mode");
        }
        Path keyFile = r.path(METADATA, "metadata_token_key_file", null);
        if (keyFile != null) {
            try {
                if (Files.size(keyFile) < MetadataTokens.MIN_KEY_BYTES || !Files.isReadable(keyFile)) {
                    r.bad(METADATA, "metadata_token_key_file", keyFile.toString(), "a readable file of at least "
                            + MetadataTokens.MIN_KEY_BYTES + " random bytes (head -c 32 /dev/urandom)");
                }
            } catch (IOException e) {
                r.bad(METADATA, "metadata_token_key_file", keyFile.toString(), "an existing file (" + e.getMessage() + ")");
            }
        }
        MetadataTokenMode mode = MetadataTokenMode.parse(m);
        return new AgentConfig.Tokens(mode == null ? MetadataTokenMode.OPTIONAL : mode, required, optional, keyFile);
    }

    /** A space-separated list of port UUIDs, lower-cased as port IPC stores them. */
    private List<String> portIds(String key) {
        return r.list(METADATA, key, MetadataSection::uuid, "port UUIDs");
    }

    private static String uuid(String s) {
        try {
            String u = UUID.fromString(s).toString();
            return u.equalsIgnoreCase(s) ? u : null; // UUID.fromString accepts "1-1-1-1-1"
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

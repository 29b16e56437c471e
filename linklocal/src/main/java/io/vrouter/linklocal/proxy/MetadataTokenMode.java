package io.vrouter.linklocal.proxy;

import java.util.Locale;

/**
 * Whether a VM must present an IMDSv2-style session token ({@code X-aws-ec2-metadata-token}),
 * as AWS's {@code HttpTokens}. In both modes a token that is sent is checked (invalid or
 * expired: 401) and {@code PUT /latest/api/token} issues one.
 */
public enum MetadataTokenMode {
    /** Tokens work; requests without one are forwarded as before (the default). */
    OPTIONAL,
    /**
     * Requests without a token are refused with 401. cloud-init's OpenStack datasource never
     * sends one, nor does its EC2 datasource unless it identifies the platform as AWS.
     */
    REQUIRED;

    /** {@code optional} or {@code required} (any case); null for anything else. */
    public static MetadataTokenMode parse(String s) {
        if (s == null) {
            return null;
        }
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "optional" -> OPTIONAL;
            case "required" -> REQUIRED;
            default -> null;
        };
    }

    /** The spelling agent.conf uses. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

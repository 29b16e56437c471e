package io.vrouter.linklocal.proxy;

/** Why the proxy answered a guest itself instead of forwarding to nova (counted per reason). */
public enum RejectReason {
    /** No VM interface owns the connection's source address (403). */
    UNKNOWN_SOURCE(403),
    /** No {@code metadata} link-local service is configured (503). */
    NO_METADATA_SERVICE(503),
    /** Method other than GET, HEAD, POST, PUT, DELETE (501). */
    METHOD_NOT_IMPLEMENTED(501),
    /** Transfer-Encoding other than exactly chunked (501, connection closed). */
    UNSUPPORTED_TRANSFER_CODING(501),
    /** Request body over the limit (413, connection closed). */
    BODY_TOO_LARGE(413),
    /** Header block over the limit (431). */
    HEADERS_TOO_LARGE(431),
    /** Request line over the limit (414). */
    URI_TOO_LONG(414),
    /** Unparseable request, ambiguous body framing, or a control character in the target (400). */
    MALFORMED_REQUEST(400),
    /** The VM's token bucket is empty (429). */
    RATE_LIMITED(429),
    /** The VM has too many open connections (429). */
    TOO_MANY_CONNECTIONS(429),
    /** Too many requests pipelined on one connection (429). */
    PIPELINE_OVERFLOW(429),
    /** The request was not complete within the read timeout (408). */
    SLOW_REQUEST(408),
    /** Every fabric address refused or timed out on connect (503). */
    UPSTREAM_UNREACHABLE(503),
    /** Nova did not answer within the response timeout (504). */
    UPSTREAM_TIMEOUT(504),
    /** The agent-side lookup (instance directory or service registry) failed (500). */
    INTERNAL_ERROR(500),
    /** Nova closed, broke the protocol, failed TLS or sent too large a response (502). */
    UPSTREAM_ERROR(502),
    /** {@link MetadataTokenMode#REQUIRED} and the request carries no X-aws-ec2-metadata-token (401). */
    TOKEN_MISSING(401),
    /** X-aws-ec2-metadata-token not issued by this node for this VM, or sent twice (401). */
    TOKEN_INVALID(401),
    /** X-aws-ec2-metadata-token issued for this VM but past its TTL (401). */
    TOKEN_EXPIRED(401),
    /** A token PUT carrying X-Forwarded-For or Forwarded: it came through a proxy in the guest (403, as AWS). */
    TOKEN_FORWARDED(403),
    /** A token PUT without X-aws-ec2-metadata-token-ttl-seconds, or not an integer 1-21600 (400). */
    TOKEN_TTL_INVALID(400),
    /** A method other than PUT on /latest/api/token (405, as AWS). */
    TOKEN_METHOD_NOT_ALLOWED(405);

    private final int status;

    RejectReason(int status) {
        this.status = status;
    }

    /** The HTTP status the guest gets. */
    public int status() {
        return status;
    }
}

package io.vrouter.linklocal.proxy;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lines the metadata proxy logs about guests' requests and nova's answers: one format
 * ({@code metadata: vm=... path=... status=... cause=...}), a guest can neither flood nor forge
 * them.
 * <ul>
 * <li>Flood: each reason (a {@link RejectReason}, or nova's 403, 400, 5xx) is a
 *     {@link LogRateLimiter} topic of its own, {@code logLinesPerReason} lines per
 *     {@code logIntervalMs}; the counters still count every request.</li>
 * <li>Forgery: every string that came from a guest (method, target, decoder messages quoting
 *     it) is {@link #escape escaped}: no control byte (ESC, NUL, BEL, CR, LF) reaches the log,
 *     so no fake line and no terminal escape sequence can be written through a request.</li>
 * </ul>
 * The VM is named by its instance UUID whenever the source address belongs to one, also for
 * requests refused before admission ({@code vm=unknown(169.254.0.9)} only for unknown sources).
 */
final class ProxyLog {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataProxy.class);
    /** Longest guest string logged, before escaping. */
    static final int MAX_LOGGED_CHARS = 200;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final LogRateLimiter.Topic[] refusals = new LogRateLimiter.Topic[RejectReason.values().length];
    private final LogRateLimiter.Topic novaSignature;
    private final LogRateLimiter.Topic novaBadRequest;
    private final LogRateLimiter.Topic novaServerError;

    ProxyLog(MetadataProxyConfig config) {
        this(config.logLinesPerReason(), TimeUnit.MILLISECONDS.toNanos(config.logIntervalMs()), System::nanoTime);
    }

    ProxyLog(int linesPerReason, long intervalNanos, LongSupplier nanoClock) {
        LogRateLimiter limiter = new LogRateLimiter(linesPerReason, intervalNanos, nanoClock);
        for (int i = 0; i < refusals.length; i++) {
            refusals[i] = limiter.topic();
        }
        novaSignature = limiter.topic();
        novaBadRequest = limiter.topic();
        novaServerError = limiter.topic();
    }

    /** {@code vm} in log lines: the instance UUID, or {@code unknown(source)}. */
    static String who(VmIdentity id, String sourceText) {
        return id != null ? id.instanceId() : "unknown(" + sourceText + ")";
    }

    /** The proxy answered a guest itself. Abuse the proxy absorbs by design is logged at debug. */
    void refused(RejectReason reason, String vm, CharSequence target, Throwable cause) {
        boolean routine = reason == RejectReason.RATE_LIMITED || reason == RejectReason.TOO_MANY_CONNECTIONS
                || reason == RejectReason.PIPELINE_OVERFLOW
                || reason == RejectReason.TOKEN_EXPIRED; // clients fetch a new token on 401
        if (routine ? !LOG.isDebugEnabled() : !LOG.isWarnEnabled()) {
            return;
        }
        long suppressed = refusals[reason.ordinal()].admit();
        if (suppressed < 0) {
            return;
        }
        String line = "metadata: vm=" + vm + " path=" + escape(target) + " status=" + reason.status() + " cause="
                + reason + (cause == null ? "" : ": " + escape(cause.toString()))
                + LogRateLimiter.suppressedNote(suppressed);
        if (routine) {
            LOG.debug(line);
        } else {
            LOG.warn(line);
        }
    }

    /**
     * Nova answered an error. A 403 is nova refusing the signature and a 400 (other than to a
     * guest's POST, e.g. a password over nova's size limit) a required header missing or
     * repeated: either means the proxy's side of the contract is broken, for every VM, so they
     * are WARN with what to check. 5xx is WARN; other 4xx (404 for absent user-data) are routine.
     */
    void novaAnswered(int status, boolean guestPost, String vm, CharSequence target, InetSocketAddress from) {
        LogRateLimiter.Topic topic;
        String hint;
        if (status == 403) {
            topic = novaSignature;
            hint = "nova refused the proxy's request signature: [METADATA] metadata_proxy_secret must equal"
                    + " nova's [neutron] metadata_proxy_shared_secret";
        } else if (status == 400 && !guestPost) {
            topic = novaBadRequest;
            hint = "nova found an identity header missing or repeated (X-Instance-ID, X-Tenant-ID,"
                    + " X-Instance-ID-Signature): is something between the proxy and nova rewriting headers?";
        } else if (status >= 500) {
            topic = novaServerError;
            hint = "nova failed";
        } else {
            if (LOG.isDebugEnabled()) {
                LOG.debug("metadata: vm={} path={} status={} cause=nova at {} answered {}", vm, escape(target),
                        status, from, status);
            }
            return;
        }
        if (!LOG.isWarnEnabled()) {
            return;
        }
        long suppressed = topic.admit();
        if (suppressed >= 0) {
            LOG.warn("metadata: vm={} path={} status={} cause=nova at {} answered {}: {}{}", vm, escape(target),
                    status, from, status, hint, LogRateLimiter.suppressedNote(suppressed));
        }
    }

    /**
     * {@code s} (its first {@value #MAX_LOGGED_CHARS} chars) with every char outside printable
     * ASCII, and the backslash, escaped ({@code \x1b}, {@code \\}, {@code \u2028}): what a guest
     * sent, unambiguous and inert on a terminal.
     */
    static String escape(CharSequence s) {
        if (s == null) {
            return "-";
        }
        int n = Math.min(s.length(), MAX_LOGGED_CHARS);
        StringBuilder sb = null;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean plain = c >= 0x20 && c < 0x7f && c != '\\';
            if (sb == null) {
                if (plain) {
                    continue;
                }
                sb = new StringBuilder(n + 16).append(s, 0, i);
            }
            if (plain) {
                sb.append(c);
            } else if (c == '\\') {
                sb.append("\\\\");
            } else if (c < 0x100) {
                sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                sb.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
                        .append(HEX[c & 0xf]);
            }
        }
        String out = sb == null ? s.subSequence(0, n).toString() : sb.toString();
        return n < s.length() ? out + "..." : out;
    }
}

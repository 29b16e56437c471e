package io.vrouter.linklocal.proxy;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The guest side's request decoder: {@link HttpRequestDecoder} with the body-framing rules of
 * RFC 9112 §6 that Netty applies leniently, where a lenient reading lets a guest smuggle a
 * second request past the proxy (Netty drops Content-Length when Transfer-Encoding is chunked,
 * and reads a request with an unknown coding as having no body, its body as the next request).
 *
 * <table>
 * <caption>Requests refused at the end of their header block</caption>
 * <tr><th>framing</th><th>answer</th></tr>
 * <tr><td>both Content-Length and Transfer-Encoding</td><td>400 (§6.1: such a request may be rejected,
 *     and the connection must close after it)</td></tr>
 * <tr><td>Transfer-Encoding in an HTTP/1.0 request</td><td>400 (§6.1: its framing is faulty)</td></tr>
 * <tr><td>Transfer-Encoding other than exactly {@code chunked} ({@code xchunked}, {@code gzip, chunked})</td>
 *     <td>501 (§6.1: a coding the server does not understand)</td></tr>
 * </table>
 *
 * <p>Such a request becomes an invalid message ({@link FramingException} as its decoder result):
 * the decoder discards every byte after it, {@link GuestHandler} answers it in order and closes
 * the connection.
 */
final class GuestRequestDecoder extends HttpRequestDecoder {

    /** A request whose body framing the proxy refuses; {@link #reason()} is the guest's answer. */
    static final class FramingException extends DecoderException {
        private static final long serialVersionUID = 1L;
        private final RejectReason reason;

        FramingException(RejectReason reason, String message) {
            super(message);
            this.reason = reason;
        }

        RejectReason reason() {
            return reason;
        }
    }

    GuestRequestDecoder(int maxInitialLineLength, int maxHeaderSize, int maxChunkSize) {
        super(maxInitialLineLength, maxHeaderSize, maxChunkSize);
    }

    /** Called by the decoder once per request, when its headers are complete and before its body. */
    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        HttpHeaders h = msg.headers();
        if (h.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            if (h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
                throw new FramingException(RejectReason.MALFORMED_REQUEST,
                        "Request has both Content-Length and Transfer-Encoding.");
            }
            if (msg.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                throw new FramingException(RejectReason.MALFORMED_REQUEST,
                        "Transfer-Encoding is not allowed in an HTTP/1.0 request.");
            }
            if (!onlyChunked(h)) {
                throw new FramingException(RejectReason.UNSUPPORTED_TRANSFER_CODING,
                        "Transfer-Encoding other than chunked is not implemented.");
            }
        }
        return super.isContentAlwaysEmpty(msg);
    }

    /** True when the Transfer-Encoding field lines, together, name exactly one coding: chunked. */
    private static boolean onlyChunked(HttpHeaders h) {
        int codings = 0;
        for (String v : h.getAll(HttpHeaderNames.TRANSFER_ENCODING)) {
            for (String coding : v.split(",", -1)) {
                if (++codings > 1 || !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(coding.trim())) {
                    return false;
                }
            }
        }
        return codings == 1;
    }
}

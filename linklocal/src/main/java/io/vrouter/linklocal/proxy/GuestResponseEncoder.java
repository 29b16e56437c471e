package io.vrouter.linklocal.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The guest side's response encoder: {@link HttpResponseEncoder} plus what HttpServerCodec adds
 * (a response to HEAD has no body), with the method known from {@link GuestHandler} (it answers
 * one request at a time and calls {@link #answering} before each response) rather than from a
 * queue filled by the decoder.
 *
 * <p>Every response here is a {@link FullHttpResponse}. The usual one (body allowed, not
 * chunked) is encoded into ONE buffer: status line, headers and body, the bytes
 * HttpResponseEncoder would write, so the guest gets one write() instead of a writev() of
 * headers and body tied together by a promise combiner. Anything else goes to the inherited
 * encoder.
 */
final class GuestResponseEncoder extends HttpResponseEncoder {
    private static final int CRLF = ('\r' << 8) | '\n';
    private static final int COLON_SP = (':' << 8) | ' ';
    /** First guess of a response's status line and headers; the buffer grows when needed. */
    private static final int HEADER_SIZE_GUESS = 256;

    private boolean head;

    /** The response written next answers a request with this method (HEAD: no body). */
    void answering(boolean headRequest) {
        head = headRequest;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
        if (!(msg instanceof FullHttpResponse r) || head || bodilessStatus(r.status())
                || HttpUtil.isTransferEncodingChunked(r)) {
            super.encode(ctx, msg, out);
            return;
        }
        try {
            ByteBuf content = r.content();
            int len = content.readableBytes();
            ByteBuf buf = ctx.alloc().buffer(HEADER_SIZE_GUESS + len);
            boolean ok = false;
            try {
                // As HttpResponseEncoder.encodeInitialLine and HttpHeadersEncoder.
                buf.writeCharSequence(r.protocolVersion().text(), StandardCharsets.US_ASCII);
                buf.writeByte(' ');
                HttpResponseStatus status = r.status();
                buf.writeCharSequence(status.codeAsText(), StandardCharsets.US_ASCII);
                buf.writeByte(' ');
                buf.writeCharSequence(status.reasonPhrase(), StandardCharsets.US_ASCII);
                buf.writeShort(CRLF);
                for (Iterator<Map.Entry<CharSequence, CharSequence>> it = r.headers().iteratorCharSequence();
                     it.hasNext(); ) {
                    Map.Entry<CharSequence, CharSequence> e = it.next();
                    buf.writeCharSequence(e.getKey(), StandardCharsets.US_ASCII);
                    buf.writeShort(COLON_SP);
                    buf.writeCharSequence(e.getValue(), StandardCharsets.US_ASCII);
                    buf.writeShort(CRLF);
                }
                buf.writeShort(CRLF);
                buf.writeBytes(content, content.readerIndex(), len);
                out.add(buf);
                ok = true;
            } finally {
                if (!ok) {
                    buf.release();
                }
            }
        } finally {
            r.release();
        }
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        return head || super.isContentAlwaysEmpty(msg);
    }

    /** The statuses HttpResponseEncoder sends without a body (and may rewrite headers of). */
    private static boolean bodilessStatus(HttpResponseStatus s) {
        int code = s.code();
        return s.codeClass() == HttpStatusClass.INFORMATIONAL || code == 204 || code == 205 || code == 304;
    }
}

package io.vrouter.linklocal.proxy;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuestResponseEncoderTest {
    private static FullHttpResponse response(HttpResponseStatus status, String body, String... headers) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.ISO_8859_1));
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    private static String encode(io.netty.channel.ChannelHandler encoder, FullHttpResponse r) {
        EmbeddedChannel ch = new EmbeddedChannel(encoder);
        ch.writeOutbound(r);
        ByteBuf all = Unpooled.buffer();
        ByteBuf part;
        int parts = 0;
        while ((part = ch.readOutbound()) != null) {
            all.writeBytes(part);
            part.release();
            parts++;
        }
        ch.finishAndReleaseAll();
        String s = all.toString(StandardCharsets.ISO_8859_1);
        all.release();
        return parts + "|" + s;
    }

    /** Byte for byte what HttpResponseEncoder writes (HEAD: what HttpServerCodec writes), body or not. */
    @Test
    void shouldWriteWhatHttpResponseEncoderWrites() {
        List<FullHttpResponse> cases = List.of(
                response(HttpResponseStatus.OK, "ami-id\nhostname\n", "Server", "nginx", "Content-Length", "16",
                        "Content-Type", "text/plain", "X-Obs", "caf\u00e9"),
                response(HttpResponseStatus.valueOf(299, "Odd Reason \u00e9"), "x", "Content-Length", "1"),
                response(HttpResponseStatus.NOT_FOUND, "", "Content-Length", "0"),
                response(HttpResponseStatus.NO_CONTENT, "", "Content-Length", "0", "X", "y"),
                response(HttpResponseStatus.NOT_MODIFIED, "", "Content-Length", "5"),
                response(HttpResponseStatus.RESET_CONTENT, "", "Transfer-Encoding", "chunked"),
                response(HttpResponseStatus.CONTINUE, "", "Content-Length", "0"),
                response(HttpResponseStatus.OK, "chunk me", "Transfer-Encoding", "chunked"));
        for (FullHttpResponse r : cases) {
            for (boolean head : new boolean[] {false, true}) {
                GuestResponseEncoder ours = new GuestResponseEncoder();
                ours.answering(head);
                String expected;
                if (head) {
                    // HttpServerCodec after decoding a HEAD request: the reference for HEAD.
                    EmbeddedChannel codec = new EmbeddedChannel(new io.netty.handler.codec.http.HttpServerCodec());
                    codec.writeInbound(Unpooled.copiedBuffer("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n",
                            StandardCharsets.ISO_8859_1));
                    Object in;
                    while ((in = codec.readInbound()) != null) {
                        io.netty.util.ReferenceCountUtil.release(in);
                    }
                    codec.writeOutbound(r.retainedDuplicate());
                    ByteBuf all = Unpooled.buffer();
                    ByteBuf part;
                    while ((part = codec.readOutbound()) != null) {
                        all.writeBytes(part);
                        part.release();
                    }
                    codec.finishAndReleaseAll();
                    expected = all.toString(StandardCharsets.ISO_8859_1);
                    all.release();
                } else {
                    expected = encode(new HttpResponseEncoder(), r.retainedDuplicate()).split("\\|", 2)[1];
                }
                String actual = encode(ours, r.retainedDuplicate());
                assertEquals(expected, actual.split("\\|", 2)[1], r.status() + " head=" + head);
            }
        }
        // The usual response leaves as one buffer.
        FullHttpResponse ok = response(HttpResponseStatus.OK, "body", "Content-Length", "4");
        assertTrue(encode(new GuestResponseEncoder(), ok).startsWith("1|"));
        cases.forEach(FullHttpResponse::release);
    }
}

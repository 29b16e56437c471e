package io.vrouter.linklocal.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Guest connections to a proxy's guest-side pipeline on {@link EmbeddedChannel}s (frozen clock,
 * a chosen source address), and the decoding of what the proxy wrote back. Tests close every
 * channel they opened with {@link #closeAll()}.
 */
final class GuestChannels {
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    /** A connection from {@code source}:40000 through {@code proxy}'s guest pipeline. */
    EmbeddedChannel open(MetadataProxy proxy, String source) {
        InetSocketAddress remote = new InetSocketAddress(source, 40000);
        EmbeddedChannel ch = new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return remote;
            }
        };
        ch.freezeTime();
        proxy.initGuestPipeline(ch.pipeline());
        channels.add(ch);
        return ch;
    }

    void closeAll() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    /** Writes raw guest bytes and decodes every response the proxy wrote back. */
    static List<FullHttpResponse> exchange(EmbeddedChannel ch, String raw) {
        ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
        return responses(ch);
    }

    static List<FullHttpResponse> responses(EmbeddedChannel ch) {
        EmbeddedChannel decoder = new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(1 << 20));
        ByteBuf out;
        List<FullHttpResponse> rs = new ArrayList<>();
        while ((out = ch.readOutbound()) != null) {
            decoder.writeInbound(out);
            FullHttpResponse r;
            while ((r = decoder.readInbound()) != null) {
                rs.add(r);
            }
        }
        decoder.finishAndReleaseAll();
        return rs;
    }

    /** The responses' status codes, in order; releases them. */
    static List<Integer> statuses(List<FullHttpResponse> rs) {
        List<Integer> codes = rs.stream().map(r -> r.status().code()).toList();
        rs.forEach(FullHttpResponse::release);
        return codes;
    }

    /** The body as UTF-8; releases the response. */
    static String body(FullHttpResponse r) {
        String s = r.content().toString(StandardCharsets.UTF_8);
        r.release();
        return s;
    }
}

package io.github.flinktinybird.emulator;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/2 stream, its request complete in memory, as an {@link EmulatorExchange}. The handler
 * runs on a worker thread; answers are written on the connection's event loop.
 */
final class NettyExchange implements EmulatorExchange {

    private final Http2StreamServer server;
    private final ChannelHandlerContext ctx;
    private final int streamId;
    private final Http2Headers headers;
    private final byte[] body;
    private final int bodyLength;
    private boolean finished;

    NettyExchange(Http2StreamServer server, ChannelHandlerContext ctx, int streamId, Http2Headers headers,
            byte[] body, int bodyLength) {
        this.server = server;
        this.ctx = ctx;
        this.streamId = streamId;
        this.headers = headers;
        this.body = body;
        this.bodyLength = bodyLength;
    }

    @Override
    public String method() {
        CharSequence method = headers.method();
        return method == null ? "" : method.toString();
    }

    @Override
    public String path() {
        String full = fullPath();
        int query = full.indexOf('?');
        return query < 0 ? full : full.substring(0, query);
    }

    @Override
    public String rawQuery() {
        String full = fullPath();
        int query = full.indexOf('?');
        return query < 0 ? null : full.substring(query + 1);
    }

    private String fullPath() {
        CharSequence path = headers.path();
        return path == null ? "" : path.toString();
    }

    @Override
    public String header(String name) {
        // HTTP/2 header names are lower case on the wire.
        CharSequence value = headers.get(name.toLowerCase(Locale.ROOT));
        return value == null ? null : value.toString();
    }

    @Override
    public InputStream body() {
        return new ByteArrayInputStream(body, 0, bodyLength);
    }

    @Override
    public void respond(int status, Map<String, String> responseHeaders, byte[] responseBody) {
        finished = true;
        Http2Headers out = new DefaultHttp2Headers().status(Integer.toString(status));
        responseHeaders.forEach((name, value) -> out.set(name.toLowerCase(Locale.ROOT), value));
        out.setInt("content-length", responseBody.length);
        ctx.executor().execute(() -> server.answer(ctx, streamId, out, Unpooled.wrappedBuffer(responseBody)));
    }

    @Override
    public void drop() {
        finished = true;
        ctx.executor().execute(() -> server.dropConnection(ctx));
    }

    @Override
    public void close() {
        if (!finished) {
            // The handler failed or was interrupted: end the stream rather than leave it hanging.
            finished = true;
            ctx.executor().execute(() -> server.abandon(ctx, streamId));
        }
    }
}

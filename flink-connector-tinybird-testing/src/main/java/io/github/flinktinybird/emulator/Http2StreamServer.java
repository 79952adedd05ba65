package io.github.flinktinybird.emulator;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2EventAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.SslHandler;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * One HTTP/2 connection of the emulator: collects each stream's request, hands complete ones to
 * {@link EventsHandler} on a worker thread, and injects the connection-level faults of {@link
 * Http2Faults} at frame level (a GOAWAY with a chosen last-stream id, RST_STREAM REFUSED_STREAM).
 *
 * <p>All state is touched on the connection's event loop only.
 */
final class Http2StreamServer extends Http2ConnectionHandler {

    /** Receive windows large enough that uploads of a few MB are not paced by WINDOW_UPDATE round trips. */
    private static final int RECEIVE_WINDOW = 4 * 1024 * 1024;

    private final EventsHandler handler;
    private final EmulatorStore store;
    private final Http2Faults faults;
    private final Executor workers;
    private final int maxBodyBytes;
    private final Map<Integer, PendingRequest> pending = new HashMap<>();
    /** Streams handed to the handler and not yet answered. */
    private int dispatched;
    /** The last-stream id of the GOAWAY sent, or -1 before any. */
    private int goAwayLastStreamId = -1;
    /** How long the connection stays open after its last stream below a GOAWAY was answered. */
    private static final long GOAWAY_CLOSE_DELAY_MS = 500;
    private boolean closeScheduled;

    private Http2StreamServer(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings,
            EventsHandler handler, EmulatorStore store, Http2Faults faults, Executor workers, int maxRequestBytes) {
        super(decoder, encoder, settings);
        this.handler = handler;
        this.store = store;
        this.faults = faults;
        this.workers = workers;
        // Raw bytes beyond this cannot decompress to less than the limit (deflate expands stored
        // blocks by a few bytes per 16 KB at most), so keeping them would only waste memory.
        this.maxBodyBytes = (int) Math.min(Integer.MAX_VALUE - 16, maxRequestBytes + maxRequestBytes / 100L + 65_536);
    }

    private static final class PendingRequest {
        final Http2Headers headers;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        long received;

        PendingRequest(Http2Headers headers) {
            this.headers = headers;
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        faults.connectionAccepted();
        connection().remote().maxActiveStreams(Integer.MAX_VALUE); // see onSettingsAckRead
        // Widen the connection-level receive window too (the settings only set the per-stream one).
        connection().local().flowController().incrementWindowSize(
                connection().connectionStream(), RECEIVE_WINDOW - 65_535);
        flushFrames(ctx);
    }

    private final class Listener extends Http2EventAdapter {
        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                boolean endOfStream) {
            requestHeaders(ctx, streamId, headers, endOfStream);
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                short weight, boolean exclusive, int padding, boolean endOfStream) {
            requestHeaders(ctx, streamId, headers, endOfStream);
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            int processed = data.readableBytes() + padding;
            PendingRequest request = pending.get(streamId);
            if (request != null) {
                int room = (int) Math.max(0, maxBodyBytes - request.received);
                int keep = Math.min(room, data.readableBytes());
                if (keep > 0) {
                    byte[] chunk = new byte[keep];
                    data.getBytes(data.readerIndex(), chunk);
                    request.body.write(chunk, 0, keep);
                }
                request.received += data.readableBytes();
                if (endOfStream) {
                    dispatch(ctx, streamId);
                }
            }
            // Returning the bytes as processed lets Netty send WINDOW_UPDATE as the body arrives.
            return processed;
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            pending.remove(streamId);
            closeIfDrained(ctx);
        }

        @Override
        public void onSettingsAckRead(ChannelHandlerContext ctx) {
            // Netty would now enforce our MAX_CONCURRENT_STREAMS itself, by refusing to create the
            // stream; the client's DATA frames for it would then look like frames of a stream that
            // never existed, a connection error that kills every other stream. So the limit is
            // announced, and enforced in requestHeaders() on a stream that exists.
            connection().remote().maxActiveStreams(Integer.MAX_VALUE);
        }
    }

    private void requestHeaders(ChannelHandlerContext ctx, int streamId, Http2Headers headers, boolean endOfStream) {
        if (goAwayLastStreamId >= 0 && streamId > goAwayLastStreamId) {
            // Sent before the client saw the GOAWAY: never processed, and the client knows it.
            recordRefused(headers);
            forgetStreamsAboveGoAway();
            return;
        }
        if (connection().numActiveStreams() > faults.maxConcurrentStreams) {
            // Over the limit announced (a client may open streams before our SETTINGS reach it):
            // refused, never processed, as RFC 9113 section 5.1.2 allows. Not counted as a request.
            recordRefused(headers);
            resetStream(ctx, streamId, Http2Error.REFUSED_STREAM.code(), ctx.newPromise());
            flushFrames(ctx);
            return;
        }
        Http2Faults.Fate fate = faults.next();
        if (fate == Http2Faults.Fate.REFUSE) {
            recordRefused(headers);
            resetStream(ctx, streamId, Http2Error.REFUSED_STREAM.code(), ctx.newPromise());
            flushFrames(ctx);
            return;
        }
        if (fate == Http2Faults.Fate.GO_AWAY) {
            // Every stream from this one on was not processed, and the client is told so: the
            // last-stream id is the one just before it. Streams below it still get their answers.
            recordRefused(headers);
            goAwayLastStreamId = Math.max(0, streamId - 2);
            // Written with the frame writer, not Http2ConnectionHandler.goAway(): that would also
            // make Netty refuse later streams by not creating them, and a refused stream's DATA
            // would then be a connection error that kills the streams still being answered.
            frameWriter().writeGoAway(ctx, goAwayLastStreamId, Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER,
                    ctx.newPromise());
            flushFrames(ctx);
            forgetStreamsAboveGoAway();
            closeIfDrained(ctx);
            return;
        }
        pending.put(streamId, new PendingRequest(headers));
        if (endOfStream) {
            dispatch(ctx, streamId);
        }
    }

    /** Drops the streams above the GOAWAY's last-stream id without a frame: the client gave them up. */
    private void forgetStreamsAboveGoAway() {
        for (Integer later : pending.keySet().toArray(new Integer[0])) {
            if (later > goAwayLastStreamId) {
                pending.remove(later);
            }
        }
        try {
            connection().forEachActiveStream(stream -> {
                if (stream.id() > goAwayLastStreamId) {
                    stream.close();
                }
                return true;
            });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void recordRefused(Http2Headers headers) {
        NettyExchange view = new NettyExchange(this, null, 0, headers, new byte[0], 0);
        new RequestOutcome(view, System.nanoTime()).record(store, RecordedRequest.REFUSED);
    }

    private void dispatch(ChannelHandlerContext ctx, int streamId) {
        PendingRequest request = pending.remove(streamId);
        if (request == null) {
            return;
        }
        byte[] body = request.body.toByteArray();
        NettyExchange exchange = new NettyExchange(this, ctx, streamId, request.headers, body, body.length);
        dispatched++;
        workers.execute(() -> handler.handle(exchange));
    }

    /** Writes an answer; on the event loop. */
    void answer(ChannelHandlerContext ctx, int streamId, Http2Headers headers, ByteBuf body) {
        dispatched--;
        if (connection().stream(streamId) != null) {
            encoder().writeHeaders(ctx, streamId, headers, 0, false, ctx.newPromise());
            encoder().writeData(ctx, streamId, body, 0, true, ctx.newPromise());
            flushFrames(ctx);
        } else {
            body.release();
        }
        closeIfDrained(ctx);
    }

    /** Resets a stream the handler gave up on; on the event loop. */
    void abandon(ChannelHandlerContext ctx, int streamId) {
        dispatched--;
        resetStream(ctx, streamId, Http2Error.INTERNAL_ERROR.code(), ctx.newPromise());
        flushFrames(ctx);
        closeIfDrained(ctx);
    }

    /**
     * Closes the TCP connection at once, with no GOAWAY and no TLS close: below both handlers, as
     * when a load balancer or a crashed server drops it. Every stream on it fails.
     */
    void dropConnection(ChannelHandlerContext ctx) {
        dispatched--;
        ChannelHandlerContext tls = ctx.pipeline().context(SslHandler.class);
        (tls != null ? tls : ctx).close();
    }

    /**
     * Through this handler's own flush, which writes the DATA frames its flow controller holds;
     * {@code ctx.flush()} would start below this handler and leave them pending.
     */
    private void flushFrames(ChannelHandlerContext ctx) {
        try {
            flush(ctx);
        } catch (Exception e) {
            ctx.fireExceptionCaught(e);
        }
    }

    /** After a GOAWAY, the connection closes once the streams it still serves are answered. */
    private void closeIfDrained(ChannelHandlerContext ctx) {
        // Streams at or below the last-stream id still receiving their bodies must be answered too.
        if (goAwayLastStreamId >= 0 && dispatched == 0 && pending.isEmpty() && !closeScheduled) {
            closeScheduled = true;
            // Not at once: a client still writing a stream it opened before it read the GOAWAY
            // would get a broken pipe instead of the GOAWAY, which tells it the stream was never
            // processed. Servers keep the connection open a moment after a GOAWAY for this.
            // Below this handler, so that it does not send a GOAWAY of its own (with a higher
            // last-stream id); the TLS layer still flushes what was written, then closes.
            ctx.executor().schedule(() -> {
                ctx.close();
            }, GOAWAY_CLOSE_DELAY_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    /** Builds the handler with the settings the server announces. */
    static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<Http2StreamServer, Builder> {
        private final EventsHandler handler;
        private final EmulatorStore store;
        private final Http2Faults faults;
        private final Executor workers;
        private final int maxRequestBytes;

        Builder(EventsHandler handler, EmulatorStore store, Http2Faults faults, Executor workers, int maxRequestBytes) {
            this.handler = handler;
            this.store = store;
            this.faults = faults;
            this.workers = workers;
            this.maxRequestBytes = maxRequestBytes;
            Http2Settings settings = Http2Settings.defaultSettings().initialWindowSize(RECEIVE_WINDOW);
            if (faults.maxConcurrentStreams != Http2Faults.UNLIMITED_STREAMS) {
                settings.maxConcurrentStreams(faults.maxConcurrentStreams);
            }
            initialSettings(settings);
            server(true);
            // After a GOAWAY, wait at most this long for the streams still served before closing.
            gracefulShutdownTimeoutMillis(5_000);
        }

        @Override
        public Http2StreamServer build() {
            return super.build();
        }

        @Override
        protected Http2StreamServer build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                Http2Settings initialSettings) {
            Http2StreamServer server = new Http2StreamServer(decoder, encoder, initialSettings, handler, store, faults,
                    workers, maxRequestBytes);
            frameListener(server.new Listener());
            return server;
        }
    }
}

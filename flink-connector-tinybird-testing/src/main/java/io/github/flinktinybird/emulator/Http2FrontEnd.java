package io.github.flinktinybird.emulator;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;

import javax.net.ssl.SSLException;

import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The emulator's TLS + HTTP/2 front-end, on Netty: TLS with ALPN offering {@code h2} only, then
 * one {@link Http2StreamServer} per connection. Netty was chosen because its HTTP/2 codec gives
 * frame-level control of exactly what the faults need: a GOAWAY with a last-stream id of our
 * choosing, RST_STREAM REFUSED_STREAM on any stream, the announced MAX_CONCURRENT_STREAMS (which
 * Netty also enforces, refusing streams over it), and closing the TCP connection under the TLS and
 * HTTP/2 layers mid-request.
 */
final class Http2FrontEnd implements EmulatorFrontEnd {

    private final EventsHandler handler;
    private final EmulatorStore store;
    private final Http2Faults faults;
    private final ExecutorService workers;
    private final int maxRequestBytes;
    private final SslContext sslContext;
    private EventLoopGroup group;
    private Channel channel;

    Http2FrontEnd(EventsHandler handler, EmulatorStore store, Http2Faults faults, ExecutorService workers,
            int maxRequestBytes, EmulatorTls tls) {
        this.handler = handler;
        this.store = store;
        this.faults = faults;
        this.workers = workers;
        this.maxRequestBytes = maxRequestBytes;
        try {
            this.sslContext = SslContextBuilder.forServer(tls.keyManagers())
                    .sslProvider(SslProvider.JDK)
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2))
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up the emulator's TLS", e);
        }
    }

    @Override
    public int start(InetSocketAddress address) {
        group = new MultiThreadIoEventLoopGroup(2, runnable -> {
            Thread thread = new Thread(runnable, "tinybird-emulator-h2-" + address.getPort());
            thread.setDaemon(true);
            return thread;
        }, NioIoHandler.newFactory());
        try {
            channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 128)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(sslContext.newHandler(ch.alloc()), new Negotiation());
                        }
                    })
                    .bind(address)
                    .syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void stop() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
            channel = null;
        }
        if (group != null) {
            // Closes every open connection too, as stop() promises.
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            group = null;
        }
    }

    /** After the TLS handshake: HTTP/2 if the client chose it, else the connection is closed. */
    private final class Negotiation extends ApplicationProtocolNegotiationHandler {
        Negotiation() {
            super("none");
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                ctx.pipeline().addLast(
                        new Http2StreamServer.Builder(handler, store, faults, workers, maxRequestBytes).build());
            } else {
                ctx.close();
            }
        }
    }
}

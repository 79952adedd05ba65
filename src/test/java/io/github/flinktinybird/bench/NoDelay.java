package io.github.flinktinybird.bench;

import javax.net.SocketFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

/**
 * Sockets with {@code TCP_NODELAY}, as the sink's client uses: the references get the same
 * transport as the sink, so the comparison is about what each does above it.
 */
final class NoDelay extends SocketFactory {
    private final SocketFactory plain = SocketFactory.getDefault();

    private static Socket on(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        return s;
    }

    @Override
    public Socket createSocket() throws IOException {
        return on(plain.createSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return on(plain.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
        return on(plain.createSocket(host, port, local, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return on(plain.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) throws IOException {
        return on(plain.createSocket(host, port, local, localPort));
    }
}

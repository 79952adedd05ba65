package io.github.flinktinybird.emulator;

import java.net.InetSocketAddress;

/** A server that receives requests and hands them to {@link EventsHandler}: HTTP/1.1 or TLS + HTTP/2. */
interface EmulatorFrontEnd {

    /**
     * Binds and starts serving.
     *
     * @return the port bound
     * @throws java.io.UncheckedIOException or another runtime exception if the port cannot be bound
     */
    int start(InetSocketAddress address);

    /** Stops accepting and closes open connections; {@link #start} may be called again. */
    void stop();
}

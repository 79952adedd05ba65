package io.github.flinktinybird.emulator;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The HTTP/2 conditions of {@link EventsApiEmulator.Builder#http2()}: the concurrency the server
 * announces and the connection-level faults, counted over every request the HTTP/2 front-end
 * receives (all connections together), so a test can tell exactly which requests meet them.
 */
final class Http2Faults {

    /** Netty's (and most servers') default when nothing is set: effectively unlimited. */
    static final int UNLIMITED_STREAMS = Integer.MAX_VALUE;

    final int maxConcurrentStreams;
    /** Every Nth request gets a GOAWAY in place of an answer; 0 = never. */
    final int goAwayEvery;
    /** Every Kth request's stream is refused; 0 = never. */
    final int refuseEvery;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong goAways = new AtomicLong();

    Http2Faults(int maxConcurrentStreams, int goAwayEvery, int refuseEvery) {
        this.maxConcurrentStreams = maxConcurrentStreams;
        this.goAwayEvery = goAwayEvery;
        this.refuseEvery = refuseEvery;
    }

    /** What happens to a request whose HEADERS just arrived. */
    enum Fate {
        SERVE,
        REFUSE,
        GO_AWAY
    }

    /** Decides the next request; a request that would meet both faults is refused. */
    Fate next() {
        long n = requests.incrementAndGet();
        if (refuseEvery > 0 && n % refuseEvery == 0) {
            return Fate.REFUSE;
        }
        if (goAwayEvery > 0 && n % goAwayEvery == 0) {
            goAways.incrementAndGet();
            return Fate.GO_AWAY;
        }
        return Fate.SERVE;
    }

    void connectionAccepted() {
        connections.incrementAndGet();
    }

    long connectionsAccepted() {
        return connections.get();
    }

    long goAwaysSent() {
        return goAways.get();
    }

    void reset() {
        requests.set(0);
        goAways.set(0);
    }
}

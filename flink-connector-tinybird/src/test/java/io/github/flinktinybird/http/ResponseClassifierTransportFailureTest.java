package io.github.flinktinybird.http;

import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

import java.io.EOFException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Transport failures: which ones a retry can cure, and which ones only a change of configuration can. */
class ResponseClassifierTransportFailureTest {

    private static SSLHandshakeException handshake(String message, Throwable cause) {
        SSLHandshakeException e = new SSLHandshakeException(message);
        e.initCause(cause);
        return e;
    }

    @Test
    void anUntrustedOrMismatchedCertificateIsFatal() {
        assertThat(ResponseClassifier.classifyTransportFailure(
                handshake("PKIX path building failed", new CertificateException("unable to find valid certification path")), "events").kind())
                .isEqualTo(Outcome.Kind.FATAL);
        assertThat(ResponseClassifier.classifyTransportFailure(
                new SSLPeerUnverifiedException("Hostname api.example.com not verified"), "events").kind())
                .isEqualTo(Outcome.Kind.FATAL);
        assertThat(ResponseClassifier.classifyTransportFailure(
                handshake("Received fatal alert: handshake_failure", null), "events").kind())
                .as("no protocol or cipher in common: configuration").isEqualTo(Outcome.Kind.FATAL);
    }

    @Test
    void aConnectionDroppedDuringTheHandshakeIsRetried() {
        Outcome outcome = ResponseClassifier.classifyTransportFailure(
                handshake("Remote host terminated the handshake", new EOFException("SSL peer shut down incorrectly")), "events");

        assertThat(outcome.kind()).isEqualTo(Outcome.Kind.RETRY);
        assertThat(outcome.reason()).contains("'events'", "Remote host terminated the handshake");
    }

    @Test
    void anUnresolvableHostIsRetriedNamingDns() {
        Outcome outcome = ResponseClassifier.classifyTransportFailure(new UnknownHostException("no-such-host.invalid"), "events");

        assertThat(outcome.kind()).isEqualTo(Outcome.Kind.RETRY);
        assertThat(outcome.reason()).contains("could not be resolved", "DNS");
    }

    /** What the client really throws when a server (e.g. a load balancer mid-deploy) closes during the handshake. */
    @Test
    void theClientsOwnFailureForAServerThatClosesDuringTheHandshakeIsRetried() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            Thread closer = new Thread(() -> {
                try (Socket socket = server.accept()) {
                    socket.getInputStream().read(new byte[1]); // the ClientHello arrives, then: gone
                } catch (Exception ignored) {
                    // the test checks what the client saw
                }
            });
            closer.setDaemon(true);
            closer.start();
            EventsApiClient client = new EventsApiClient("https://127.0.0.1:" + server.getLocalPort(), "token", true,
                    Compression.NONE, Duration.ofSeconds(10), 1, "test");
            try {
                Throwable failure = catchThrowable(() -> client.send("events", List.of("{\"id\":1}".getBytes())).get(20, TimeUnit.SECONDS));
                Throwable cause = failure instanceof ExecutionException || failure instanceof CompletionException ? failure.getCause() : failure;

                assertThat(cause).isInstanceOf(java.io.IOException.class);
                assertThat(ResponseClassifier.classifyTransportFailure(cause, "events").kind())
                        .as("%s", cause).isEqualTo(Outcome.Kind.RETRY);
            } finally {
                client.close();
            }
        }
    }
}

package io.github.flinktinybird.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.emulator.Fault;
import io.github.flinktinybird.emulator.FaultPlan;
import io.github.flinktinybird.emulator.RecordedRequest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The client alone against the emulator's TLS + HTTP/2 mode, over loopback: what it reports for
 * each HTTP/2 failure, and what the emulator stored. A request the server never processed must be
 * reported {@link Outcome.Kind#RESEND_NOW} and must have stored nothing, so that resending it
 * cannot duplicate rows.
 */
class EventsApiClientHttp2Test {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    private EventsApiEmulator emulator;
    private EventsApiClient client;

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    private void start(EventsApiEmulator.Builder builder, int maxConcurrentRequests) {
        emulator = builder.http2().keepOnlyIds("id").start();
        client = new EventsApiClient(emulator.endpoint(), EventsApiEmulator.DEFAULT_TOKEN, true, Compression.GZIP,
                CALL_TIMEOUT, maxConcurrentRequests, "flink-connector-tinybird/test (h2)", emulator.trustManager());
    }

    private CompletableFuture<EventsApiResponse> send(int id) {
        return client.send("events", List.of(("{\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8)));
    }

    private static Outcome outcomeOf(CompletableFuture<EventsApiResponse> future) throws InterruptedException {
        try {
            EventsApiResponse response = future.get(30, TimeUnit.SECONDS);
            return ResponseClassifier.classify(response, "events", System.currentTimeMillis() / 1000);
        } catch (ExecutionException e) {
            return ResponseClassifier.classifyTransportFailure(e.getCause(), "events");
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no answer within 30 s", e);
        }
    }

    /** Sends the ids at once and classifies each answer. */
    private Map<Integer, Outcome> sendAll(List<Integer> ids) throws InterruptedException {
        Map<Integer, CompletableFuture<EventsApiResponse>> futures = new LinkedHashMap<>();
        for (int id : ids) {
            futures.put(id, send(id));
        }
        Map<Integer, Outcome> outcomes = new LinkedHashMap<>();
        for (Map.Entry<Integer, CompletableFuture<EventsApiResponse>> entry : futures.entrySet()) {
            outcomes.put(entry.getKey(), outcomeOf(entry.getValue()));
        }
        return outcomes;
    }

    private static List<Integer> ids(Map<Integer, Outcome> outcomes, Outcome.Kind kind) {
        List<Integer> ids = new ArrayList<>();
        outcomes.forEach((id, outcome) -> {
            if (outcome.kind() == kind) {
                ids.add(id);
            }
        });
        return ids;
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> ids = new ArrayList<>();
        for (int i = from; i < to; i++) {
            ids.add(i);
        }
        return ids;
    }

    /** What the emulator stored matches what the client was told, id by id. */
    private void assertStoredExactly(Map<Integer, Outcome> outcomes) {
        Map<String, Integer> counts = emulator.idCounts("events");
        outcomes.forEach((id, outcome) -> {
            int expected = outcome.kind() == Outcome.Kind.COMMITTED ? 1 : 0;
            assertThat(counts.getOrDefault(Integer.toString(id), 0))
                    .as("id %d reported %s", id, outcome).isEqualTo(expected);
        });
    }

    @Test
    void overHttpsTheClientSpeaksHttp2AndCommits() throws Exception {
        start(EventsApiEmulator.builder(), 4);

        Map<Integer, Outcome> outcomes = sendAll(range(0, 8));

        // The emulator's HTTP/2 mode accepts only clients that negotiate h2.
        assertThat(outcomes.values()).extracting(Outcome::kind).containsOnly(Outcome.Kind.COMMITTED);
        assertThat(emulator.http2Connections()).isPositive();
        assertStoredExactly(outcomes);
    }

    @Test
    void aRefusedStreamIsResendNowAndStoredNothing() throws Exception {
        start(EventsApiEmulator.builder().refuseEveryKthStream(2), 1);

        Map<Integer, Outcome> outcomes = new LinkedHashMap<>();
        for (int id = 1; id <= 6; id++) {
            outcomes.put(id, outcomeOf(send(id)));
        }

        assertThat(ids(outcomes, Outcome.Kind.RESEND_NOW)).containsExactly(2, 4, 6);
        assertThat(ids(outcomes, Outcome.Kind.COMMITTED)).containsExactly(1, 3, 5);
        assertThat(outcomes.get(2).reason()).contains("REFUSED_STREAM", "'events'");
        assertStoredExactly(outcomes);
        assertThat(emulator.requests()).filteredOn(r -> r.status() == RecordedRequest.REFUSED).hasSize(3);

        // Sent again, each lands exactly once.
        Map<Integer, Outcome> again = new LinkedHashMap<>();
        for (int id : List.of(2, 4, 6)) {
            again.put(id, outcomeOf(send(id)));
        }
        assertThat(ids(again, Outcome.Kind.COMMITTED)).hasSizeGreaterThanOrEqualTo(2);
        assertThat(emulator.idCounts("events").values()).containsOnly(1);
    }

    @Test
    void aGoAwayRefusesTheStreamsAboveItsLastStreamIdAndAnswersThoseBelow() throws Exception {
        start(EventsApiEmulator.builder().goAwayEvery(4)
                .faultPlan(FaultPlan.builder().slowDelay(Duration.ofMillis(500)).build()), 8);
        // One request first, so that the connection (and its SETTINGS) exists before the burst
        // and the burst shares it.
        assertThat(outcomeOf(send(0)).kind()).isEqualTo(Outcome.Kind.COMMITTED);
        // The first request of the burst served is still in flight when the GOAWAY goes out.
        emulator.failNext(1, Fault.SLOW);

        Map<Integer, Outcome> outcomes = sendAll(range(1, 7));

        assertThat(emulator.goAwaysSent()).isEqualTo(1);
        assertThat(outcomes.values()).extracting(Outcome::kind)
                .as("a GOAWAY never makes an ordinary retry, what it cut was not processed: %s", outcomes)
                .isSubsetOf(Outcome.Kind.COMMITTED, Outcome.Kind.RESEND_NOW)
                .contains(Outcome.Kind.RESEND_NOW)
                .contains(Outcome.Kind.COMMITTED);
        assertThat(emulator.requests()).filteredOn(r -> r.fault().orElse(null) == Fault.SLOW)
                .as("the slow stream below the last-stream id was answered")
                .extracting(RecordedRequest::status).containsExactly(200);
        outcomes.put(0, outcomeFor200());
        assertStoredExactly(outcomes);

        // Resent on a fresh connection (meeting the next GOAWAY too), everything is stored once.
        assertThat(resendUntilCommitted(ids(outcomes, Outcome.Kind.RESEND_NOW))).isEmpty();
        assertThat(emulator.idCounts("events")).hasSize(7);
        assertThat(emulator.idCounts("events").values()).containsOnly(1);
    }

    /** Resends what was not processed, as the writer will, a few rounds at most; returns what is left. */
    private List<Integer> resendUntilCommitted(List<Integer> ids) throws InterruptedException {
        List<Integer> left = ids;
        for (int round = 0; round < 5 && !left.isEmpty(); round++) {
            Map<Integer, Outcome> outcomes = sendAll(left);
            assertThat(outcomes.values()).extracting(Outcome::kind).as("%s", outcomes)
                    .isSubsetOf(Outcome.Kind.COMMITTED, Outcome.Kind.RESEND_NOW);
            left = ids(outcomes, Outcome.Kind.RESEND_NOW);
        }
        return left;
    }

    private static Outcome outcomeFor200() {
        return ResponseClassifier.classify(EventsApiResponse.of(200, "{}"), "events", 0);
    }

    @Test
    void aLowMaxConcurrentStreamsSpreadsRequestsWithoutLosingOrDuplicatingAny() throws Exception {
        start(EventsApiEmulator.builder().maxConcurrentStreams(2)
                .faultPlan(FaultPlan.builder().probability(Fault.SLOW, 1.0).slowDelay(Duration.ofMillis(300)).build()), 8);
        assertThat(outcomeOf(send(0)).kind()).isEqualTo(Outcome.Kind.COMMITTED);

        Map<Integer, Outcome> outcomes = sendAll(range(1, 9));

        assertThat(outcomes.values()).extracting(Outcome::kind).as("%s", outcomes)
                .isSubsetOf(Outcome.Kind.COMMITTED, Outcome.Kind.RESEND_NOW);
        assertStoredExactly(outcomes);
        // Eight requests in flight at two streams per connection: the client opened more.
        assertThat(emulator.http2Connections()).isGreaterThan(1);
        assertThat(resendUntilCommitted(ids(outcomes, Outcome.Kind.RESEND_NOW))).isEmpty();
        assertThat(emulator.idCounts("events")).hasSize(9);
        assertThat(emulator.idCounts("events").values()).containsOnly(1);
    }

    /** Issue 12's HTTP/2 bar, at the client: GOAWAY every 25 requests and every 13th stream refused. */
    @Test
    void underGoAwaysAndRefusedStreamsEveryFailureIsAFreeResendAndNothingIsLostOrDuplicated() throws Exception {
        start(EventsApiEmulator.builder().goAwayEvery(25).refuseEveryKthStream(13), 8);
        int requests = 200;
        Map<Integer, Outcome> first = new LinkedHashMap<>();
        for (int from = 0; from < requests; from += 20) {
            first.putAll(sendAll(range(from, from + 20)));
        }

        assertThat(first.values()).extracting(Outcome::kind).as("no attempt spent: %s", first)
                .isSubsetOf(Outcome.Kind.COMMITTED, Outcome.Kind.RESEND_NOW);
        assertThat(ids(first, Outcome.Kind.RESEND_NOW)).hasSizeGreaterThanOrEqualTo(requests / 13 + requests / 25 - 2);
        assertStoredExactly(first);
        assertThat(resendUntilCommitted(ids(first, Outcome.Kind.RESEND_NOW))).isEmpty();
        Map<String, Integer> counts = emulator.idCounts("events");
        assertThat(counts).as("nothing lost").hasSize(requests);
        assertThat(counts.values()).as("nothing duplicated").containsOnly(1);
        assertThat(emulator.goAwaysSent()).isGreaterThanOrEqualTo(requests / 25);
    }

    @Test
    void theQuotaIsSharedAcrossHttp2ConnectionsAndItsHeadersReachTheClient() throws Exception {
        start(EventsApiEmulator.builder().requestQuota(2), 4);
        try (EventsApiClient second = new EventsApiClient(emulator.endpoint(), EventsApiEmulator.DEFAULT_TOKEN, true,
                Compression.NONE, CALL_TIMEOUT, 4, "second client", emulator.trustManager())) {
            List<EventsApiResponse> answers = new ArrayList<>();
            for (int id = 0; id < 6; id++) {
                EventsApiClient sender = id % 2 == 0 ? client : second;
                answers.add(sender.send("events", List.of(("{\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8)))
                        .get(30, TimeUnit.SECONDS));
            }

            assertThat(answers).allSatisfy(answer -> {
                assertThat(answer.rateLimitLimit()).isEqualTo("2");
                assertThat(answer.rateLimitRemaining()).isNotNull();
                assertThat(answer.rateLimitReset()).isEqualTo("1");
            });
            // Six requests at two per window all pass only if spread over three windows (> 2 s).
            List<EventsApiResponse> refused = new ArrayList<>();
            answers.stream().filter(a -> a.status() == 429).forEach(refused::add);
            assertThat(refused).isNotEmpty().allSatisfy(answer -> {
                assertThat(answer.retryAfter()).isEqualTo("1");
                assertThat(answer.rateLimitRemaining()).isEqualTo("0");
            });
            assertThat(emulator.http2Connections()).isGreaterThanOrEqualTo(2);
            assertThat(emulator.idCounts("events").values().stream().mapToInt(Integer::intValue).sum())
                    .isEqualTo(answers.size() - refused.size());
        }
    }

    @Test
    void aConnectionDroppedMidRequestIsAnOrdinaryRetryAndTheNextRequestGetsThrough() throws Exception {
        start(EventsApiEmulator.builder(), 2);
        assertThat(outcomeOf(send(0)).kind()).isEqualTo(Outcome.Kind.COMMITTED);
        emulator.failNext(1, Fault.DROP_CONNECTION);

        Outcome dropped = outcomeOf(send(1));
        Outcome next = outcomeOf(send(2));

        // The server read the request before the connection went: it may have written it, so this
        // is not a free resend.
        assertThat(dropped.kind()).isEqualTo(Outcome.Kind.RETRY);
        assertThat(dropped.reason()).contains("failed in transport");
        assertThat(next.kind()).isEqualTo(Outcome.Kind.COMMITTED);
        assertThat(emulator.http2Connections()).isEqualTo(2);
        assertThat(emulator.idCounts("events")).containsOnlyKeys("0", "2");
    }
}

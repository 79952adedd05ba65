package io.github.flinktinybird.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EventsApiEmulatorTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TOKEN = EventsApiEmulator.DEFAULT_TOKEN;

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private EventsApiEmulator emulator;

    @BeforeEach
    void start() {
        emulator = EventsApiEmulator.builder()
                .faultPlan(FaultPlan.builder().slowDelay(Duration.ofMillis(700)).retryAfterSeconds(3).build())
                .start();
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    @Test
    void storesRowsInArrivalOrderAndAnswers200WithWait() throws Exception {
        HttpResponse<String> response = post("name=events&wait=true", "{\"id\":1,\"s\":\"a\"}\n{\"id\":2,\"s\":\"b\"}\n");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response)).isEqualTo(json("{\"successful_rows\":2,\"quarantined_rows\":0}"));
        assertThat(emulator.rows("events")).extracting(row -> row.get("id").asInt()).containsExactly(1, 2);
        assertThat(emulator.rawRows("events")).containsExactly("{\"id\":1,\"s\":\"a\"}", "{\"id\":2,\"s\":\"b\"}");
        assertThat(emulator.rowCount("events")).isEqualTo(2);
        assertThat(emulator.totalRowCount()).isEqualTo(2);
        assertThat(emulator.dataSources()).containsExactly("events");
        assertThat(emulator.quarantined("events")).isEmpty();
    }

    @Test
    void answers202WithoutWaitAndStillStores() throws Exception {
        HttpResponse<String> response = post("name=events", "{\"id\":1}");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(json(response).get("successful_rows").asInt()).isEqualTo(1);
        assertThat(emulator.rowCount("events")).isEqualTo(1);
    }

    @Test
    void recordsWhatTheClientSentButNotTheToken() throws Exception {
        post("name=events&wait=true", "{\"id\":1}\n{\"id\":2}\n");

        assertThat(emulator.requests()).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).isEqualTo("/v0/events");
            assertThat(r.dataSource()).isEqualTo("events");
            assertThat(r.waitRequested()).isTrue();
            assertThat(r.gzip()).isFalse();
            assertThat(r.contentType()).isEqualTo("application/x-ndjson");
            assertThat(r.userAgent()).isEqualTo("emulator-test/1.0");
            assertThat(r.authorizationPresent()).isTrue();
            assertThat(r.bodyBytes()).isEqualTo(18);
            assertThat(r.lineCount()).isEqualTo(2);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.fault()).isEmpty();
            assertThat(r.toString()).doesNotContain(TOKEN);
        });
    }

    @Test
    void toleratesCrLfEmptyLinesAndAFinalNewline() throws Exception {
        HttpResponse<String> response = post("name=events&wait=true", "\r\n{\"id\":1}\r\n\n  \n{\"id\":2}\r\n");

        assertThat(json(response)).isEqualTo(json("{\"successful_rows\":2,\"quarantined_rows\":0}"));
        assertThat(emulator.rawRows("events")).containsExactly("{\"id\":1}", "{\"id\":2}");
    }

    @Test
    void gunzipsGzipBodies() throws Exception {
        byte[] body = gzip("{\"id\":1}\n{\"id\":2}\n".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = send(request("name=events&wait=true")
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(emulator.rowCount("events")).isEqualTo(2);
        assertThat(emulator.requests().get(0).gzip()).isTrue();
        assertThat(emulator.requests().get(0).bodyBytes()).isEqualTo(18);
    }

    @Test
    void refusesARequestWithoutDataSourceName() throws Exception {
        HttpResponse<String> missing = post("wait=true", "{\"id\":1}");
        HttpResponse<String> blank = post("name=%20&wait=true", "{\"id\":1}");

        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(json(missing).get("error").asText()).contains("name");
        assertThat(blank.statusCode()).isEqualTo(400);
        assertThat(emulator.totalRowCount()).isZero();
    }

    @Test
    void answers401WithoutTokenAnd403ForUnknownToken() throws Exception {
        HttpResponse<String> none = send(HttpRequest.newBuilder(uri("name=events"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":1}")));
        HttpResponse<String> inQuery = send(HttpRequest.newBuilder(uri("name=events&token=" + TOKEN))
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":1}")));
        HttpResponse<String> unknown = send(HttpRequest.newBuilder(uri("name=events"))
                .header("Authorization", "Bearer not-a-token")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":1}")));

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(json(none).has("error")).isTrue();
        assertThat(inQuery.statusCode()).isEqualTo(401);
        assertThat(unknown.statusCode()).isEqualTo(403);
        assertThat(unknown.body()).doesNotContain("not-a-token");
        assertThat(emulator.totalRowCount()).isZero();
        assertThat(emulator.requests()).extracting(RecordedRequest::authorizationPresent)
                .containsExactly(false, false, true);
    }

    @Test
    void acceptsEveryConfiguredToken() throws Exception {
        try (EventsApiEmulator custom = EventsApiEmulator.builder().token("t1").token("t2").start()) {
            for (String token : Arrays.asList("t1", "t2", TOKEN)) {
                HttpResponse<String> response = send(HttpRequest.newBuilder(
                                URI.create(custom.endpoint() + "/v0/events?name=events&wait=true"))
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"id\":1}")));
                assertThat(response.statusCode()).as(token).isEqualTo(token.equals(TOKEN) ? 403 : 200);
            }
            assertThat(custom.rowCount("events")).isEqualTo(2);
        }
    }

    @Test
    void answers404ForOtherPathsAnd405ForOtherMethods() throws Exception {
        HttpResponse<String> otherPath = send(HttpRequest.newBuilder(URI.create(emulator.endpoint() + "/v0/sql"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofString("{}")));
        HttpResponse<String> get = send(request("name=events").GET());

        assertThat(otherPath.statusCode()).isEqualTo(404);
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void answers413OverTheUncompressedLimitAndStoresNothing() throws Exception {
        try (EventsApiEmulator small = EventsApiEmulator.builder().maxRequestBytes(100).start()) {
            String atLimit = "{\"pad\":\"" + "x".repeat(100 - 11) + "\"}\n";
            String overLimit = "{\"id\":1}\n".repeat(20);
            byte[] bomb = gzip(overLimit.getBytes(StandardCharsets.UTF_8));
            assertThat(bomb.length).isLessThan(100);

            assertThat(postTo(small, atLimit.getBytes(StandardCharsets.UTF_8), false).statusCode()).isEqualTo(200);
            HttpResponse<String> plain = postTo(small, overLimit.getBytes(StandardCharsets.UTF_8), false);
            HttpResponse<String> gzipped = postTo(small, bomb, true);

            assertThat(plain.statusCode()).isEqualTo(413);
            assertThat(json(plain).has("error")).isTrue();
            assertThat(gzipped.statusCode()).isEqualTo(413);
            assertThat(small.rowCount("events")).isEqualTo(1);
        }
    }

    @Test
    void answers413CleanlyForABodyFarOverTheDefaultLimit() throws Exception {
        String line = "{\"pad\":\"" + "x".repeat(990) + "\"}\n";
        HttpResponse<String> response = post("name=events&wait=true", line.repeat(11_000));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(emulator.totalRowCount()).isZero();
    }

    @Test
    void quarantinesLinesThatAreNotJsonObjects() throws Exception {
        String body = String.join("\n",
                "{\"id\":1}", "{not json", "[1,2]", "42", "\"text\"", "{\"s\":\"\\ud800\"}", "{\"a\":1} {\"b\":2}",
                "{\"id\":2,\"emoji\":\"\\ud83d\\ude00\"}");
        HttpResponse<String> response = post("name=events&wait=true", body);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response)).isEqualTo(json("{\"successful_rows\":2,\"quarantined_rows\":6}"));
        assertThat(emulator.rows("events")).extracting(row -> row.get("id").asInt()).containsExactly(1, 2);
        List<QuarantinedRow> quarantined = emulator.quarantined("events");
        assertThat(quarantined).extracting(QuarantinedRow::rawLine)
                .containsExactly("{not json", "[1,2]", "42", "\"text\"", "{\"s\":\"\\ud800\"}", "{\"a\":1} {\"b\":2}");
        assertThat(quarantined).allSatisfy(q -> {
            assertThat(q.quarantineDataSource()).isEqualTo("events_quarantine");
            assertThat(q.error()).isNotBlank();
        });
        assertThat(quarantined.get(4).error()).contains("surrogate");
    }

    @Test
    void everyAnswerCarriesRateLimitHeaders() throws Exception {
        List<HttpResponse<String>> responses = Arrays.asList(
                post("name=events&wait=true", "{\"id\":1}"),
                post("wait=true", "{\"id\":1}"),
                send(HttpRequest.newBuilder(uri("name=events")).POST(HttpRequest.BodyPublishers.noBody())));

        for (HttpResponse<String> response : responses) {
            assertThat(response.headers().firstValue("X-RateLimit-Limit")).hasValue("100");
            assertThat(Integer.parseInt(response.headers().firstValue("X-RateLimit-Remaining").orElseThrow()))
                    .isBetween(0, 100);
            assertThat(Integer.parseInt(response.headers().firstValue("X-RateLimit-Reset").orElseThrow()))
                    .isPositive();
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        }
    }

    @Test
    void requestQuotaIsSharedByAllClientsOfADataSourceAndAnswers429WithRetryAfter() throws Exception {
        try (EventsApiEmulator limited = EventsApiEmulator.builder().requestQuota(3).start()) {
            HttpClient other = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<HttpResponse<String>> responses = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                // Two clients, two connections: one budget.
                HttpClient sender = i % 2 == 0 ? client : other;
                responses.add(sender.send(HttpRequest.newBuilder(
                                URI.create(limited.endpoint() + "/v0/events?name=events&wait=true"))
                        .header("Authorization", "Bearer " + TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"id\":" + i + "}")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }

            List<HttpResponse<String>> refused = responses.stream().filter(r -> r.statusCode() == 429)
                    .collect(Collectors.toList());
            long admitted = responses.stream().filter(r -> r.statusCode() == 200).count();
            // Ten requests at three per window all pass only if they are spread over four windows (> 3 s).
            assertThat(refused).isNotEmpty();
            assertThat(admitted + refused.size()).isEqualTo(10);
            assertThat(limited.rowCount("events")).as("refused requests store nothing").isEqualTo(admitted);
            for (HttpResponse<String> response : responses) {
                assertThat(response.headers().firstValue("X-RateLimit-Limit")).hasValue("3");
                assertThat(response.headers().firstValue("X-RateLimit-Reset")).hasValue("1");
            }
            for (HttpResponse<String> response : refused) {
                assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
                assertThat(response.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
                assertThat(json(response).get("error").asText()).contains("quota", "'events'");
            }
            assertThat(limited.requests().stream().filter(RecordedRequest::quotaExceeded).count())
                    .isEqualTo(refused.size());
            assertThat(limited.requests()).allSatisfy(r -> assertThat(r.fault()).isEmpty());
        }
    }

    @Test
    void byteQuotaRefusesARequestThatWouldGoOverIt() throws Exception {
        try (EventsApiEmulator limited = EventsApiEmulator.builder().byteQuota(100).start()) {
            String big = "{\"id\":1,\"pad\":\"" + "x".repeat(200) + "\"}";
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                statuses.add(client.send(HttpRequest.newBuilder(
                                URI.create(limited.endpoint() + "/v0/events?name=events&wait=true"))
                        .header("Authorization", "Bearer " + TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString(big)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
            }

            // The first of each window passes whatever its size: all four would pass only if each
            // came in a window of its own (> 3 s for four requests).
            assertThat(statuses.get(0)).isEqualTo(200);
            assertThat(statuses).contains(429);
            assertThat(limited.rowCount("events")).isEqualTo(statuses.stream().filter(s -> s == 200).count());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"RATE_LIMITED", "SERVER_ERROR_500", "BAD_GATEWAY_502",
        "UNAVAILABLE_503", "GATEWAY_TIMEOUT_504", "WRONG_REGION_404"})
    void queuedErrorFaultAnswersItsStatusAndStoresNothing(Fault fault) throws Exception {
        emulator.failNext(1, fault);

        HttpResponse<String> failed = post("name=events&wait=true", "{\"id\":1}");
        HttpResponse<String> next = post("name=events&wait=true", "{\"id\":2}");

        assertThat(failed.statusCode()).isEqualTo(fault.status());
        assertThat(json(failed).get("error").asText()).isNotBlank();
        assertThat(failed.headers().firstValue("X-RateLimit-Limit")).isPresent();
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(emulator.rows("events")).extracting(row -> row.get("id").asInt()).containsExactly(2);
        assertThat(emulator.requests().get(0).fault()).hasValue(fault);
        assertThat(emulator.requests().get(0).status()).isEqualTo(fault.status());
    }

    @Test
    void rateLimitedAnswerCarriesRetryAfter() throws Exception {
        emulator.failNext(1, Fault.RATE_LIMITED);

        HttpResponse<String> response = post("name=events&wait=true", "{\"id\":1}");

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("3");
        assertThat(response.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
        assertThat(response.headers().firstValue("X-RateLimit-Reset")).hasValue("3");
    }

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"MATERIALIZATION_FAILED_422", "COMMITTED_THEN_500"})
    void committingFaultStoresRowsThenAnswersAnError(Fault fault) throws Exception {
        emulator.failNext(1, fault);

        HttpResponse<String> response = post("name=events&wait=true", "{\"id\":1}\n{\"id\":2}");

        assertThat(response.statusCode()).isEqualTo(fault.status());
        assertThat(json(response).get("error").asText()).isNotBlank();
        assertThat(emulator.rowCount("events")).isEqualTo(2);
        assertThat(emulator.requests().get(0).fault()).hasValue(fault);
    }

    @Test
    void committedThen500LooksLikeAPlain500() throws Exception {
        emulator.failNext(1, Fault.COMMITTED_THEN_500);
        emulator.failNext(1, Fault.SERVER_ERROR_500);

        HttpResponse<String> committed = post("name=events&wait=true", "{\"id\":1}");
        HttpResponse<String> plain = post("name=events&wait=true", "{\"id\":2}");

        assertThat(committed.body()).isEqualTo(plain.body());
        assertThat(emulator.rawRows("events")).containsExactly("{\"id\":1}");
    }

    @Test
    void slowAnswerComesAfterTheDelayWithoutBlockingOtherRequests() throws Exception {
        emulator.failNext(1, Fault.SLOW);
        // Either request may reach the emulator first and take the queued fault, so both are
        // sent at once and the log tells which one was slow.
        CompletableFuture<Long> a = postAsync("a").thenApply(response -> System.nanoTime());
        CompletableFuture<Long> b = postAsync("b").thenApply(response -> System.nanoTime());
        long answeredA = a.get();
        long answeredB = b.get();

        List<RecordedRequest> requests = emulator.requests();
        assertThat(requests).extracting(RecordedRequest::fault)
                .as("the normal request is answered while the slow one waits")
                .containsExactly(Optional.empty(), Optional.of(Fault.SLOW));
        RecordedRequest slow = requests.get(1);
        long slowAnswered = slow.dataSource().equals("a") ? answeredA : answeredB;
        assertThat(Duration.ofNanos(slowAnswered - slow.arrivalNanos())).isGreaterThanOrEqualTo(Duration.ofMillis(700));
        assertThat(slow.status()).isEqualTo(200);
        assertThat(emulator.rowCount(slow.dataSource())).isEqualTo(1);
    }

    @Test
    void droppedConnectionGivesTheClientAnIoErrorAndStoresNothing() throws Exception {
        post("name=events&wait=true", "{\"id\":0}"); // so that the drop hits a pooled, reused connection
        emulator.failNext(1, Fault.DROP_CONNECTION);

        assertThatThrownBy(() -> post("name=events&wait=true", "{\"id\":1}"))
                .isInstanceOf(IOException.class);
        HttpResponse<String> next = post("name=events&wait=true", "{\"id\":2}");
        emulator.failNext(1, Fault.DROP_CONNECTION);
        HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertThatThrownBy(() -> fresh.send(request("name=events&wait=true")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"id\":3}")).build(),
                HttpResponse.BodyHandlers.ofString()))
                .as("a drop on a new connection too")
                .isInstanceOf(IOException.class);

        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(emulator.rows("events")).extracting(row -> row.get("id").asInt()).containsExactly(0, 2);
        assertThat(emulator.requests()).as("the client did not resend behind the test's back")
                .extracting(RecordedRequest::status)
                .containsExactly(200, RecordedRequest.NO_RESPONSE, 200, RecordedRequest.NO_RESPONSE);
        assertThat(emulator.requests().get(1).fault()).hasValue(Fault.DROP_CONNECTION);
    }

    @Test
    void queuedFaultsComeBeforeRandomOnes() throws Exception {
        emulator.setFaultPlan(FaultPlan.builder().probability(Fault.GATEWAY_TIMEOUT_504, 1.0).build());
        emulator.failNext(2, Fault.RATE_LIMITED);

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            statuses.add(post("name=events&wait=true", "{\"id\":1}").statusCode());
        }

        assertThat(statuses).containsExactly(429, 429, 504);
    }

    @Test
    void seededRandomPlanGivesTheSameFaultsEveryRun() throws Exception {
        FaultPlan plan = FaultPlan.builder().seed(7)
                .probability(Fault.RATE_LIMITED, 0.2)
                .probability(Fault.UNAVAILABLE_503, 0.2)
                .probability(Fault.COMMITTED_THEN_500, 0.1)
                .build();
        emulator.setFaultPlan(plan);
        List<String> first = faultSequence(40);
        emulator.reset();
        List<String> afterReset = faultSequence(40);
        try (EventsApiEmulator other = EventsApiEmulator.builder().faultPlan(plan).start()) {
            EventsApiEmulator original = emulator;
            emulator = other;
            List<String> otherInstance = faultSequence(40);
            emulator = original;
            assertThat(otherInstance).isEqualTo(first);
        }
        emulator.setFaultPlan(FaultPlan.builder().seed(8).probability(Fault.RATE_LIMITED, 0.2)
                .probability(Fault.UNAVAILABLE_503, 0.2).probability(Fault.COMMITTED_THEN_500, 0.1).build());
        List<String> otherSeed = faultSequence(40);

        assertThat(afterReset).isEqualTo(first);
        assertThat(otherSeed).isNotEqualTo(first);
        assertThat(first).contains("none", "RATE_LIMITED", "UNAVAILABLE_503", "COMMITTED_THEN_500");
    }

    @Test
    void outageAnswers503UntilSwitchedOff() throws Exception {
        emulator.setUnavailable(true);
        HttpResponse<String> during = post("name=events&wait=true", "{\"id\":1}");
        emulator.setUnavailable(false);
        HttpResponse<String> after = post("name=events&wait=true", "{\"id\":2}");

        assertThat(during.statusCode()).isEqualTo(503);
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(emulator.rawRows("events")).containsExactly("{\"id\":2}");
    }

    @Test
    void stopRefusesConnectionsAndRestartKeepsPortAndData() throws Exception {
        post("name=events&wait=true", "{\"id\":1}");
        String endpoint = emulator.endpoint();

        emulator.stop();
        assertThat(emulator.isRunning()).isFalse();
        HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertThatThrownBy(() -> fresh.send(request("name=events&wait=true")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"id\":9}")).build(),
                HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(ConnectException.class);

        emulator.restart();
        HttpResponse<String> response = fresh.send(request("name=events&wait=true")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":2}")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(emulator.endpoint()).isEqualTo(endpoint);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(emulator.rows("events")).extracting(row -> row.get("id").asInt()).containsExactly(1, 2);
    }

    @Test
    void storesEveryRowOfConcurrentRequests() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (int r = 0; r < 40; r++) {
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < 25; i++) {
                body.append("{\"id\":").append(r * 25 + i).append("}\n");
            }
            futures.add(client.sendAsync(request("name=events&wait=true")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }

        for (CompletableFuture<HttpResponse<String>> future : futures) {
            assertThat(future.get().statusCode()).isEqualTo(200);
        }
        Set<Integer> ids = emulator.rows("events").stream().map(row -> row.get("id").asInt())
                .collect(Collectors.toCollection(HashSet::new));
        assertThat(emulator.rowCount("events")).isEqualTo(1000);
        assertThat(ids).hasSize(1000);
        assertThat(emulator.requests()).hasSize(40);
    }

    @Test
    void readBackReturnsCopiesAndResetClearsEverything() throws Exception {
        post("name=events&wait=true", "{\"id\":1}\nnope");
        emulator.rows("events").get(0).put("id", 99);
        emulator.rawRows("events").clear();
        assertThat(emulator.rows("events").get(0).get("id").asInt()).isEqualTo(1);
        assertThat(emulator.rawRows("events")).hasSize(1);
        emulator.failNext(1, Fault.UNAVAILABLE_503);
        emulator.setUnavailable(true);

        emulator.reset();

        assertThat(emulator.totalRowCount()).isZero();
        assertThat(emulator.quarantined("events")).isEmpty();
        assertThat(emulator.requests()).isEmpty();
        assertThat(post("name=events&wait=true", "{\"id\":3}").statusCode()).isEqualTo(200);
        assertThat(emulator.rawRows("events")).containsExactly("{\"id\":3}");
    }

    @Test
    void keepOnlyIdsCountsEachIdInsteadOfKeepingRows() throws Exception {
        try (EventsApiEmulator light = EventsApiEmulator.builder().keepOnlyIds("id").start()) {
            byte[] body = "{\"id\":1}\n{\"id\":2}\n{\"id\":1}\nnope\n".getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> response = postTo(light, body, false);

            assertThat(json(response)).isEqualTo(json("{\"successful_rows\":3,\"quarantined_rows\":1}"));
            assertThat(light.idCounts("events")).containsOnly(
                    java.util.Map.entry("1", 2), java.util.Map.entry("2", 1));
            assertThat(light.rowCount("events")).isEqualTo(3);
            assertThat(light.totalRowCount()).isEqualTo(3);
            assertThat(light.dataSources()).containsExactly("events");
            assertThat(light.quarantined("events")).hasSize(1);
            assertThatThrownBy(() -> light.rows("events")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("idCounts");
            assertThatThrownBy(() -> emulator.idCounts("events")).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void countRowsOnlyCountsRowsAndKeepsNeitherRowsNorIds() throws Exception {
        try (EventsApiEmulator counting = EventsApiEmulator.builder().countRowsOnly().start()) {
            byte[] body = "{\"id\":1}\n{\"id\":2}\n{\"id\":1}\nnope\n".getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> response = postTo(counting, body, false);

            assertThat(json(response)).isEqualTo(json("{\"successful_rows\":3,\"quarantined_rows\":1}"));
            assertThat(counting.rowCount("events")).isEqualTo(3);
            assertThat(counting.totalRowCount()).isEqualTo(3);
            assertThat(counting.dataSources()).containsExactly("events");
            assertThat(counting.quarantined("events")).hasSize(1);
            assertThatThrownBy(() -> counting.rows("events")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("countRowsOnly").hasMessageContaining("rowCount");
            assertThatThrownBy(() -> counting.idCounts("events")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("keepOnlyIds");
        }
        assertThatThrownBy(() -> EventsApiEmulator.builder().keepOnlyIds("id").countRowsOnly())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("choose one");
        assertThatThrownBy(() -> EventsApiEmulator.builder().countRowsOnly().keepOnlyIds("id"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("choose one");
    }

    @Test
    void faultPlanRejectsProbabilitiesAddingUpToMoreThanOne() {
        FaultPlan.Builder builder = FaultPlan.builder()
                .probability(Fault.RATE_LIMITED, 0.6)
                .probability(Fault.SLOW, 0.6);

        assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FaultPlan.builder().probability(Fault.SLOW, 1.5))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Sends {@code count} requests and returns, per request, the fault applied or "none". */
    private List<String> faultSequence(int count) throws Exception {
        int before = emulator.requests().size();
        for (int i = 0; i < count; i++) {
            post("name=events&wait=true", "{\"id\":" + i + "}");
        }
        return emulator.requests().subList(before, before + count).stream()
                .map(r -> r.fault().map(Enum::name).orElse("none"))
                .collect(Collectors.toList());
    }

    private CompletableFuture<HttpResponse<String>> postAsync(String dataSource) {
        return client.sendAsync(request("name=" + dataSource + "&wait=true")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":1}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String query, String body) throws IOException, InterruptedException {
        return send(request(query).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> postTo(EventsApiEmulator target, byte[] body, boolean gzip)
            throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(
                        URI.create(target.endpoint() + "/v0/events?name=events&wait=true"))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (gzip) {
            builder.header("Content-Encoding", "gzip");
        }
        return send(builder);
    }

    private HttpRequest.Builder request(String query) {
        return HttpRequest.newBuilder(uri(query))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/x-ndjson")
                .header("User-Agent", "emulator-test/1.0");
    }

    private URI uri(String query) {
        return URI.create(emulator.endpoint() + "/v0/events?" + query);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return MAPPER.readTree(response.body());
    }

    private static JsonNode json(String text) throws IOException {
        return MAPPER.readTree(text);
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}

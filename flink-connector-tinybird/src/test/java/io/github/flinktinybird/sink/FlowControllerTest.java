package io.github.flinktinybird.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.flinktinybird.http.Outcome.Kind;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/** The per-Data-Source flow controller as a table: answers in, allowed rate and concurrency out. */
class FlowControllerTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;

    /** One answer at a time (ms from the start). */
    private static final class Step {
        final long atMs;
        final FlowAnswer answer;

        Step(long atMs, FlowAnswer answer) {
            this.atMs = atMs;
            this.answer = answer;
        }

        @Override
        public String toString() {
            return answer + "@" + atMs;
        }
    }

    private static Step commit(long atMs, long latencyMs) {
        return new Step(atMs, new FlowAnswer(Kind.COMMITTED, 200, latencyMs * MS, 100L, 50L, 1L, null));
    }

    private static Step commitNothingRemaining(long atMs, long latencyMs) {
        return new Step(atMs, new FlowAnswer(Kind.COMMITTED, 200, latencyMs * MS, 100L, 0L, 1L, null));
    }

    private static Step commitUnderLimit(long atMs, long limit) {
        return new Step(atMs, new FlowAnswer(Kind.COMMITTED, 200, 1_000 * MS, limit, limit - 1, 1L, null));
    }

    private static Step rateLimited(long atMs, long retryAfterSeconds) {
        return new Step(atMs, new FlowAnswer(Kind.RETRY, 429, 5 * MS, 100L, 0L, 1L, Duration.ofSeconds(retryAfterSeconds)));
    }

    private static Step unavailable(long atMs, Duration retryAfter) {
        return new Step(atMs, new FlowAnswer(Kind.RETRY, 503, 5 * MS, null, null, null, retryAfter));
    }

    private static Step neutral(long atMs, Kind kind, int status) {
        return new Step(atMs, new FlowAnswer(kind, status, 5 * MS, null, null, null, null));
    }

    static Stream<Arguments> table() {
        return Stream.of(
                // name, steps, expected rate, expected in flight
                Arguments.of("nothing known yet: the initial rate and in-flight", List.of(), 4.0, 4),
                Arguments.of("slow start: +1 request/s per clean answer",
                        List.of(commit(0, 1_000), commit(10, 1_000), commit(20, 1_000)), 7.0, 11),
                Arguments.of("in flight follows latency (Little's law with 1.5 headroom)",
                        List.of(commit(0, 3_000)), 5.0, 23),
                Arguments.of("a 429 cuts the rate by 0.85",
                        List.of(commit(0, 1_000), commit(10, 1_000), commit(20, 1_000), rateLimited(30, 1)), 5.95, 9),
                Arguments.of("429s of requests sent together cut once",
                        List.of(commit(0, 1_000), commit(10, 1_000), commit(20, 1_000), rateLimited(30, 1),
                                rateLimited(40, 1), rateLimited(900, 1)), 5.95, 9),
                Arguments.of("429s two seconds apart cut again, whatever the latency",
                        List.of(commit(0, 3_000), commit(10, 3_000), commit(20, 3_000), rateLimited(30, 1),
                                rateLimited(2_100, 1)), 7 * 0.85 * 0.85, 23),
                Arguments.of("429s in the window right after a cut: that cut was not enough, cut twice as hard",
                        List.of(commit(0, 3_000), commit(10, 3_000), commit(20, 3_000), rateLimited(30, 1),
                                rateLimited(1_100, 1)), 7 * 0.85 * 0.85 * 0.85, 20),
                Arguments.of("after a cut, back towards 95% of the rate the 429 came at: half the gap a second, over the rate per answer",
                        List.of(commit(0, 1_000), commit(10, 1_000), commit(20, 1_000), rateLimited(30, 1),
                                commit(31, 1_000)), 5.95 + 0.5 * (0.95 * 7 - 5.95) / 5.95, 10),
                Arguments.of("near that rate, growth is a gentle probe: 0.3% of the quota a second",
                        List.of(commitNothingRemaining(0, 1_000), commit(10, 1_000)), 4 + 0.3 * (1 + 0.01 / 10) / 4, 7),
                Arguments.of("the longer the quota is silent, the faster the growth: twice after 10 s",
                        List.of(commit(0, 1_000), commit(10, 1_000), commit(20, 1_000), rateLimited(30, 1),
                                commit(10_030, 1_000)), 5.95 + 0.3 * 2 / 5.95, 10),
                Arguments.of("nothing remaining: no growth, and slow start ends",
                        List.of(commitNothingRemaining(0, 1_000), commit(10, 1_000)), 4 + 0.3 * (1 + 0.01 / 10) / 4, 7),
                Arguments.of("never above the announced X-RateLimit-Limit",
                        List.of(commitUnderLimit(0, 5), commitUnderLimit(1, 5), commitUnderLimit(2, 5)), 5.0, 8),
                Arguments.of("never below the minimum rate",
                        Stream.iterate(0L, t -> t + 1_000).limit(14).map(t -> rateLimited(t, 1)).collect(java.util.stream.Collectors.toList()),
                        0.5, 4),
                Arguments.of("503 with Retry-After throttles like a 429",
                        List.of(unavailable(0, Duration.ofSeconds(2))), 3.4, 4),
                Arguments.of("503 without Retry-After is neutral", List.of(unavailable(0, null)), 4.0, 4),
                Arguments.of("a refused stream is neutral: no penalty",
                        List.of(neutral(0, Kind.RESEND_NOW, 0), neutral(1, Kind.RESEND_NOW, 0)), 4.0, 4),
                Arguments.of("a transport failure is neutral", List.of(neutral(0, Kind.RETRY, 0)), 4.0, 4),
                Arguments.of("a 500 is neutral", List.of(neutral(0, Kind.RETRY, 500)), 4.0, 4),
                Arguments.of("a 400 is neutral", List.of(neutral(0, Kind.REJECTED, 400)), 4.0, 4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void rateAndConcurrencyFollowTheAnswers(String name, List<Step> steps, double expectedRate, int expectedInFlight) {
        FlowController controller = new FlowController(FlowControlSettings.defaults(), 0);
        for (Step step : steps) {
            controller.answered(step.answer, step.atMs * MS);
        }

        assertThat(controller.allowedRate()).as("rate").isCloseTo(expectedRate, within(1e-9));
        assertThat(controller.allowedInFlight()).as("in flight").isEqualTo(expectedInFlight);
    }

    @Test
    void inFlightIsCappedByTheUsersMaximum() {
        FlowController controller = new FlowController(FlowControlSettings.withMaxInFlight(8), 0);
        controller.answered(commit(0, 10_000).answer, 0);

        assertThat(controller.allowedInFlight()).isEqualTo(8);
        assertThat(controller.maySend(0, 7)).isTrue();
        assertThat(controller.maySend(0, 8)).isFalse();
    }

    @Test
    void requestsArePacedAtTheAllowedRate() {
        FlowController controller = new FlowController(FlowControlSettings.defaults(), 0);

        assertThat(controller.maySend(0, 0)).isTrue();
        controller.sent(0);
        assertThat(controller.nextSendNanos()).as("4 requests/s: 250 ms apart").isEqualTo(250 * MS);
        assertThat(controller.maySend(249 * MS, 0)).isFalse();
        assertThat(controller.maySend(250 * MS, 0)).isTrue();
        controller.sent(5 * S);
        assertThat(controller.nextSendNanos()).as("an idle spell saves up no burst").isEqualTo(5 * S + 250 * MS);
    }

    @Test
    void aThrottledAnswerPausesTheDataSourceForItsRetryAfterAndCountsTheWait() {
        FlowController controller = new FlowController(FlowControlSettings.defaults(), 0);
        controller.answered(rateLimited(1_000, 3).answer, 1_000 * MS);

        assertThat(controller.maySend(3_999 * MS, 0)).isFalse();
        assertThat(controller.maySend(4_000 * MS, 0)).isTrue();
        assertThat(controller.pausedNanos()).isEqualTo(3 * S);
        controller.answered(rateLimited(2_000, 3).answer, 2_000 * MS);
        assertThat(controller.pausedNanos()).as("overlapping pauses count once").isEqualTo(4 * S);
        assertThat(controller.throttledAnswers()).isEqualTo(2);
    }

    /**
     * A 429 asking for the quota's one-second window: only the throttled request waits (the
     * writer holds it for {@link FlowController#waitNanos}); the Data Source goes on at the cut
     * rate, since the window ends somewhere within that second. A 503 asking for the same second
     * stops the Data Source: it is Tinybird, not the quota, asking for time.
     */
    @Test
    void a429ForTheQuotaWindowCutsTheRateWithoutStoppingTheDataSource() {
        FlowController controller = new FlowController(FlowControlSettings.defaults(), 0);
        FlowAnswer throttled = rateLimited(1_000, 1).answer;
        controller.answered(throttled, 1_000 * MS);

        assertThat(FlowController.waitNanos(throttled)).as("the throttled request's own wait").isEqualTo(S);
        assertThat(controller.pausedAt(1_001 * MS)).isFalse();
        assertThat(controller.nextSendNanos()).as("no pause: the next slot is the pacing's").isLessThan(1_001 * MS);
        assertThat(controller.allowedRate()).as("cut").isLessThan(FlowControlSettings.DEFAULT_INITIAL_RATE);
        assertThat(controller.pausedNanos()).as("the wait asked for is still counted").isEqualTo(S);

        FlowController unavailable = new FlowController(FlowControlSettings.defaults(), 0);
        unavailable.answered(new FlowAnswer(Kind.RETRY, 503, 5 * MS, null, null, null, Duration.ofSeconds(1)), 1_000 * MS);
        assertThat(unavailable.pausedAt(1_999 * MS)).isTrue();
        assertThat(unavailable.pausedAt(2_000 * MS)).isFalse();
    }

    @Test
    void aThrottleWithoutRetryAfterWaitsForTheReset() {
        FlowController controller = new FlowController(FlowControlSettings.defaults(), 0);
        controller.answered(new FlowAnswer(Kind.RETRY, 429, MS, 100L, 0L, 2L, null), 0);

        assertThat(controller.nextSendNanos()).isEqualTo(2 * S);
    }

    @Test
    void aDataSourceThrottledWithNothingCommittedForLongerThanTheBudgetIsOverIt() {
        FlowController controller = new FlowController(FlowControlSettings.defaults(), 0);
        BiConsumer<Long, Step> at = (ms, step) -> controller.answered(step.answer, ms * MS);
        at.accept(0L, rateLimited(0, 1));
        at.accept(200_000L, rateLimited(0, 1));

        assertThat(controller.overWaitBudget(299_000 * MS)).isFalse();
        assertThat(controller.overWaitBudget(301_000 * MS)).isTrue();
        at.accept(302_000L, commit(0, 1_000));
        assertThat(controller.overWaitBudget(303_000 * MS)).as("a commit ends the throttled spell").isFalse();
        at.accept(304_000L, neutral(0, Kind.RESEND_NOW, 0));
        assertThat(controller.overWaitBudget(900_000 * MS)).as("a refused stream is no throttle").isFalse();
    }

    @Test
    void oneThrottledDataSourceDoesNotHoldBackAnother() {
        FlowControllers controllers = new FlowControllers(FlowControlSettings.defaults());
        controllers.of("slow", 0).answered(rateLimited(0, 30).answer, 0);

        assertThat(controllers.of("slow", 0).maySend(MS, 0)).isFalse();
        assertThat(controllers.of("fast", 0).maySend(MS, 0)).isTrue();
        assertThat(controllers.of("fast", 0).allowedRate()).isEqualTo(4.0);
        assertThat(controllers.earliestNextSend(List.of("slow", "fast"), MS)).isEqualTo(0);
        assertThat(controllers.earliestNextSend(List.of("slow"), MS)).isEqualTo(30 * S);
    }
}

package io.github.flinktinybird.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinktinybird.error.DeadLetter;
import io.github.flinktinybird.error.DeadLetterHandler;
import io.github.flinktinybird.error.ErrorPolicy;
import io.github.flinktinybird.testutil.Deadline;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sink closes while an HTTP thread is handing a batch to the dead-letter handler: the close
 * must wait for that letter, and a letter arriving after the close must fail (its records stay in
 * the checkpoint) rather than reach a closed handler, whatever that handler would do with it.
 */
class ErrorPolicyEnforcerCloseTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<byte[]> LINES =
            List.of("{\"id\":1}".getBytes(StandardCharsets.UTF_8), "{\"id\":2}".getBytes(StandardCharsets.UTF_8));

    /** A handler that can be held inside write(), and notices a close that lands under a write. */
    static final class SlowHandler implements DeadLetterHandler {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger written = new AtomicInteger();
        final AtomicBoolean writing = new AtomicBoolean();
        final AtomicBoolean closedUnderAWrite = new AtomicBoolean();
        final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public void write(DeadLetter letter) throws IOException {
            writing.set(true);
            entered.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            written.addAndGet(letter.getLines().size());
            writing.set(false);
        }

        @Override
        public void close() {
            closedUnderAWrite.compareAndSet(false, writing.get());
            closed.set(true);
        }
    }

    @Test
    void closeWaitsForTheLetterBeingWrittenAndLaterLettersFail() throws Exception {
        WriterTestContext context = new WriterTestContext();
        SlowHandler handler = new SlowHandler();
        ErrorPolicyEnforcer enforcer = new ErrorPolicyEnforcer(ErrorPolicy.deadLetter(handler), new SinkMetrics(context.metricGroup(), Runnable::run));
        enforcer.open(0, 0);

        CompletableFuture<Exception> httpThread =
                CompletableFuture.supplyAsync(() -> enforcer.undeliverable("events", LINES, "rejected", 400, true));
        Thread closer = new Thread(() -> {
            try {
                enforcer.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "closer");
        try {
            assertThat(handler.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            closer.start();
            Deadline.await("close() to wait for the letter being written", WAIT, () -> closer.getState() == Thread.State.BLOCKED);
        } finally {
            handler.gate.countDown();
        }
        assertThat(httpThread.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the letter in progress is handled").isNull();
        closer.join(WAIT.toMillis());
        assertThat(handler.closed).isTrue();
        assertThat(handler.closedUnderAWrite).as("closed while a letter was being written").isFalse();

        Exception late = enforcer.undeliverable("events", LINES, "rejected", 400, true);

        assertThat(late).as("a letter after close must fail the request, not vanish").isNotNull();
        assertThat(late.getMessage()).contains("dead-letter handler", "closed", "2 record(s)", "'events'");
        assertThat(handler.written).as("records the handler received").hasValue(2);
        assertThat(context.counter("recordsDeadLettered")).isEqualTo(2);
    }
}

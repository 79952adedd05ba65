package io.github.flinktinybird.sink;

import io.github.flinktinybird.http.EventsApiClient;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/** What every {@link BatchDelivery} of one writer shares. */
final class DeliveryContext {
    private static final Logger LOG = LoggerFactory.getLogger(BatchDelivery.class);

    final DeliverySettings settings;
    final EventsApiClient client;
    final ErrorPolicyEnforcer errorPolicy;
    final SinkMetrics metrics;
    final ScheduledExecutorService scheduler;
    final UnconfirmedRecords unconfirmed;
    /** Wakes the writer on its task thread after a delay, to take back records due for a retry. */
    final RetryWake retryWake;
    /** Tells the rate limiter that a request ended with records to retry. */
    final Runnable failedRequestEnded;
    final DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
    final RateLimitedLog quarantineLog = new RateLimitedLog(LOG, 10_000);
    final RateLimitedLog retryLog = new RateLimitedLog(LOG, 5_000);
    final RateLimitedLog oddAnswerLog = new RateLimitedLog(LOG, 10_000);
    final RateLimitedLog partialIngestLog = new RateLimitedLog(LOG, 10_000);
    final RateLimitedLog unconfirmedLog = new RateLimitedLog(LOG, 10_000);

    /** Per-Data-Source flow control, or {@code null} when {@code sink.flow-control.enabled} is off. */
    final DataSourceFlow flow;

    /** Set when the writer closes: answers after that (calls it cancelled) are not acted upon. */
    volatile boolean closed;

    DeliveryContext(
            DeliverySettings settings,
            EventsApiClient client,
            ErrorPolicyEnforcer errorPolicy,
            SinkMetrics metrics,
            ScheduledExecutorService scheduler,
            UnconfirmedRecords unconfirmed,
            RetryWake retryWake,
            Runnable failedRequestEnded,
            DataSourceFlow flow) {
        this.flow = flow;
        this.settings = settings;
        this.client = client;
        this.errorPolicy = errorPolicy;
        this.metrics = metrics;
        this.scheduler = scheduler;
        this.unconfirmed = unconfirmed;
        this.retryWake = retryWake;
        this.failedRequestEnded = failedRequestEnded;
    }

    /** See {@link #retryWake}. */
    interface RetryWake {
        void after(Duration delay);
    }
}

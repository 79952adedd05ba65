package io.github.flinktinybird.sink;

import org.apache.flink.connector.base.sink.writer.strategy.RateLimitingStrategy;
import org.apache.flink.connector.base.sink.writer.strategy.RequestInfo;
import org.apache.flink.connector.base.sink.writer.strategy.ResultInfo;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Limits concurrent requests, additive-increase/multiplicative-decrease on their number, never on
 * their size.
 *
 * <p>Flink's default strategy shrinks batches when requests fail. Tinybird limits requests per
 * second per Data Source whatever their row count, so smaller batches under a 429 would mean more
 * requests and more 429s. Here a request with failed records halves the number allowed in flight
 * (at least one), and each clean request adds one back, up to {@code maxInFlightRequests}; batches
 * stay full. It only blocks while a request is in flight, so the writer can never wait on itself.
 *
 * <p>The sink completes a request whose records wait for a retry at once (they wait in the writer,
 * not in a slot), so Flink reports it with no failed messages: {@link #failedRequestEnded()}, called
 * just before, makes it count as failed all the same. {@link #sendNext(int)} lets the writer cut
 * the next batch early, so records due for a retry go out without waiting for a full batch or the
 * buffer timer.
 */
final class InFlightRequestLimiter implements RateLimitingStrategy {
    private final int maxInFlightRequests;
    private final int maxBatchSize;
    private int inFlight;
    private int allowed;
    private final AtomicInteger failedEndings = new AtomicInteger();
    /** 0, or the size of the next batch the writer wants cut as soon as a slot allows. */
    private int nextBatchSize;
    /** Requests in flight flow control allows (Little's law on rate and latency); any thread sets it. */
    private volatile int flowCap = Integer.MAX_VALUE;

    InFlightRequestLimiter(int maxInFlightRequests, int maxBatchSize) {
        this.maxInFlightRequests = maxInFlightRequests;
        this.maxBatchSize = maxBatchSize;
        this.allowed = maxInFlightRequests;
    }

    @Override
    public void registerInFlightRequest(RequestInfo requestInfo) {
        inFlight++;
    }

    @Override
    public void registerCompletedRequest(ResultInfo resultInfo) {
        inFlight = Math.max(0, inFlight - 1);
        if (resultInfo.getFailedMessages() > 0 || takeFailedEnding()) {
            allowed = Math.max(1, allowed / 2);
        } else {
            allowed = Math.min(maxInFlightRequests, allowed + 1);
        }
    }

    @Override
    public boolean shouldBlock(RequestInfo requestInfo) {
        return inFlight > 0 && inFlight >= allowedInFlight();
    }

    @Override
    public int getMaxBatchSize() {
        return nextBatchSize > 0 ? Math.min(nextBatchSize, maxBatchSize) : maxBatchSize;
    }

    /** Any thread: the next request to complete had records to retry. */
    void failedRequestEnded() {
        failedEndings.incrementAndGet();
    }

    private boolean takeFailedEnding() {
        return failedEndings.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }

    /** Task thread: cut the next batch at {@code records} (at least 1) instead of a full one. */
    void sendNext(int records) {
        nextBatchSize = Math.max(1, records);
    }

    /** Task thread: a batch was cut; batches are full-sized again. */
    void batchCut() {
        nextBatchSize = 0;
    }

    /** Any thread: flow control's cap on requests in flight (at least 1), below the AIMD limit. */
    void capInFlight(int requests) {
        flowCap = Math.max(1, requests);
    }

    int allowedInFlight() {
        return Math.min(allowed, flowCap);
    }
}

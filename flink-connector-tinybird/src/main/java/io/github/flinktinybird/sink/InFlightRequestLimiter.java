package io.github.flinktinybird.sink;

import org.apache.flink.connector.base.sink.writer.strategy.RateLimitingStrategy;
import org.apache.flink.connector.base.sink.writer.strategy.RequestInfo;
import org.apache.flink.connector.base.sink.writer.strategy.ResultInfo;

/**
 * Limits concurrent requests, additive-increase/multiplicative-decrease on their number, never on
 * their size.
 *
 * <p>Flink's default strategy shrinks batches when requests fail. Tinybird limits requests per
 * second per Data Source whatever their row count, so smaller batches under a 429 would mean more
 * requests and more 429s. Here a request with failed records halves the number allowed in flight
 * (at least one), and each clean request adds one back, up to {@code maxInFlightRequests}; batches
 * stay full. It only blocks while a request is in flight, so the writer can never wait on itself.
 */
final class InFlightRequestLimiter implements RateLimitingStrategy {
    private final int maxInFlightRequests;
    private final int maxBatchSize;
    private int inFlight;
    private int allowed;

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
        if (resultInfo.getFailedMessages() > 0) {
            allowed = Math.max(1, allowed / 2);
        } else {
            allowed = Math.min(maxInFlightRequests, allowed + 1);
        }
    }

    @Override
    public boolean shouldBlock(RequestInfo requestInfo) {
        return inFlight > 0 && inFlight >= allowed;
    }

    @Override
    public int getMaxBatchSize() {
        return maxBatchSize;
    }

    int allowedInFlight() {
        return allowed;
    }
}

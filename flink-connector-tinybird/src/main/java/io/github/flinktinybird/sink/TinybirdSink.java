package io.github.flinktinybird.sink;

import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.util.Collection;
import java.util.Collections;

/**
 * A Flink sink that appends each element as a JSON row to a Tinybird Data Source through the Events
 * API, at least once.
 *
 * <p>Elements are serialized to NDJSON lines and buffered; batches (bounded by records, bytes and
 * time) are posted to {@code /v0/events} with {@code wait=true}, so a request succeeds only when
 * Tinybird has committed its rows. Failed requests are retried with backoff, within bounds; what
 * cannot be delivered goes to the {@link io.github.flinktinybird.error.ErrorPolicy}. Each
 * checkpoint holds every record Tinybird has not confirmed (buffered, in flight, or waiting for a
 * retry), so no acknowledged checkpoint misses a record and the checkpoint never waits for
 * Tinybird. Resends (retries, restarts, requests in flight at the checkpoint restored) can
 * duplicate rows: deduplicate in Tinybird on an id the job sends.
 *
 * <pre>{@code
 * stream.sinkTo(TinybirdSink.<Event>builder()
 *         .setToken(token)
 *         .setDataSource("events")
 *         .build());
 * }</pre>
 *
 * @param <T> the element type
 */
public class TinybirdSink<T> extends TinybirdSinkBase<T> {
    private static final long serialVersionUID = 1L;

    private final SinkValidation.BatchSettings batch;
    private final DeliverySettings settings;
    private final TinybirdElementConverter<T> converter;

    TinybirdSink(TinybirdElementConverter<T> converter, SinkValidation.BatchSettings batch, DeliverySettings settings) {
        super(
                converter,
                batch.maxBatchSize,
                batch.maxInFlightRequests,
                batch.maxBufferedRequests,
                batch.maxBatchSizeInBytes,
                batch.maxTimeInBufferMS,
                batch.maxRecordSizeInBytes,
                settings.flinkRequestTimeout().toMillis(),
                false);
        this.converter = converter;
        this.batch = batch;
        this.settings = settings;
    }

    /** Starts building a sink for elements of type {@code T}. */
    public static <T> TinybirdSinkBuilder<T> builder() {
        return new TinybirdSinkBuilder<>();
    }

    @Override
    public TinybirdSinkWriter<T> createWriter(WriterInitContext context) {
        return restoreWriter(context, Collections.emptyList());
    }

    @Override
    public TinybirdSinkWriter<T> restoreWriter(
            WriterInitContext context, Collection<BufferedRequestState<TinybirdRecord>> recoveredState) {
        return new TinybirdSinkWriter<>(converter, context, writerConfiguration(), recoveredState, settings, batch);
    }

    AsyncSinkWriterConfiguration writerConfiguration() {
        return AsyncSinkWriterConfiguration.builder()
                .setMaxBatchSize(batch.maxBatchSize)
                .setMaxBatchSizeInBytes(batch.maxBatchSizeInBytes)
                .setMaxInFlightRequests(batch.maxInFlightRequests)
                .setMaxBufferedRequests(batch.maxBufferedRequests)
                .setMaxTimeInBufferMS(batch.maxTimeInBufferMS)
                // The record cap is enforced by the converter, through the error policy. Flink's own
                // check would fail the job on every restart, so it only guards the batch limit, which
                // also lets state written under a larger record cap restore.
                .setMaxRecordSizeInBytes(batch.maxBatchSizeInBytes)
                .setRequestTimeoutMS(settings.flinkRequestTimeout().toMillis())
                .setFailOnTimeout(false)
                .setRateLimitingStrategy(new InFlightRequestLimiter(batch.maxInFlightRequests, batch.maxBatchSize))
                .build();
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<TinybirdRecord>> getWriterStateSerializer() {
        return new TinybirdRecordStateSerializer();
    }

    @Override
    public String toString() {
        return "TinybirdSink{" + settings + ", " + batch + '}';
    }
}

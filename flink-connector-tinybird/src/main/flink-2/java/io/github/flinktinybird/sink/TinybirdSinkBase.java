package io.github.flinktinybird.sink;

import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.ElementConverter;

/**
 * The Flink 2.x shape of the sink's entry point: Flink 2 creates writers only through {@code
 * createWriter(WriterInitContext)} and {@code restoreWriter(WriterInitContext, ...)}, which {@link
 * TinybirdSink} implements, so nothing is added here. The Flink 1.20 build puts a class of the same
 * name in its place (see {@code src/main/flink-1.20}).
 */
@Internal
abstract class TinybirdSinkBase<T> extends AsyncSinkBase<T, TinybirdRecord> {
    private static final long serialVersionUID = 1L;

    TinybirdSinkBase(
            ElementConverter<T, TinybirdRecord> converter,
            int maxBatchSize,
            int maxInFlightRequests,
            int maxBufferedRequests,
            long maxBatchSizeInBytes,
            long maxTimeInBufferMS,
            long maxRecordSizeInBytes,
            long requestTimeoutMS,
            boolean failOnTimeout) {
        super(
                converter,
                maxBatchSize,
                maxInFlightRequests,
                maxBufferedRequests,
                maxBatchSizeInBytes,
                maxTimeInBufferMS,
                maxRecordSizeInBytes,
                requestTimeoutMS,
                failOnTimeout);
    }
}

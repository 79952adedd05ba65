package io.github.flinktinybird.sink;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.JobInfo;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.util.UserCodeClassLoader;

import java.util.Collection;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * The Flink 1.20 shape of the sink's entry point. 1.20's {@code Sink} still declares the
 * {@code Sink.InitContext} methods (a type Flink 2 removed): {@code createWriter(InitContext)} is
 * abstract and {@code restoreWriter(InitContext, ...)} throws by default. The 1.20 runtime itself
 * calls the {@link WriterInitContext} methods that {@link TinybirdSink} implements; the old ones
 * are only reached by code that still uses the deprecated API, and are routed to the same writer
 * here. The Flink 2 build uses a class of the same name without them (see {@code src/main/flink-2}).
 */
@Internal
@SuppressWarnings("deprecation") // Sink.InitContext is deprecated in 1.20 and is what this adapts
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

    @Override
    public abstract TinybirdSinkWriter<T> createWriter(WriterInitContext context);

    @Override
    public abstract TinybirdSinkWriter<T> restoreWriter(
            WriterInitContext context, Collection<BufferedRequestState<TinybirdRecord>> recoveredState);

    @Override
    public TinybirdSinkWriter<T> createWriter(Sink.InitContext context) {
        return createWriter(new WriterContext(context));
    }

    @Override
    public TinybirdSinkWriter<T> restoreWriter(
            Sink.InitContext context, Collection<BufferedRequestState<TinybirdRecord>> recoveredState) {
        return restoreWriter(new WriterContext(context), recoveredState);
    }

    /** Presents a 1.20 {@code Sink.InitContext} as the {@link WriterInitContext} it mirrors. */
    static final class WriterContext implements WriterInitContext {
        private final Sink.InitContext context;

        WriterContext(Sink.InitContext context) {
            this.context = context;
        }

        @Override
        public UserCodeClassLoader getUserCodeClassLoader() {
            return context.getUserCodeClassLoader();
        }

        @Override
        public MailboxExecutor getMailboxExecutor() {
            return context.getMailboxExecutor();
        }

        @Override
        public ProcessingTimeService getProcessingTimeService() {
            return context.getProcessingTimeService();
        }

        @Override
        public SinkWriterMetricGroup metricGroup() {
            return context.metricGroup();
        }

        @Override
        public SerializationSchema.InitializationContext asSerializationSchemaInitializationContext() {
            return context.asSerializationSchemaInitializationContext();
        }

        @Override
        public boolean isObjectReuseEnabled() {
            return context.isObjectReuseEnabled();
        }

        @Override
        public <IN> TypeSerializer<IN> createInputSerializer() {
            return context.createInputSerializer();
        }

        @Override
        public <MetaT> Optional<Consumer<MetaT>> metadataConsumer() {
            return context.metadataConsumer();
        }

        @Override
        public OptionalLong getRestoredCheckpointId() {
            return context.getRestoredCheckpointId();
        }

        @Override
        public JobInfo getJobInfo() {
            return context.getJobInfo();
        }

        @Override
        public TaskInfo getTaskInfo() {
            return context.getTaskInfo();
        }
    }
}

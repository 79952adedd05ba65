package io.github.flinktinybird.sink;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.util.FlinkRuntimeException;

import io.github.flinktinybird.http.EventsApiClient;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Buffers records in Flink's async sink writer and delivers each batch Flink hands over through a
 * {@link BatchDelivery}. Elements that cannot become a record are given to the error policy here,
 * before they reach Flink's buffer (whose own size check would fail the job on every restart).
 */
@Internal
public class TinybirdSinkWriter<T> extends AsyncSinkWriter<T, TinybirdRecord> {
    private static final Logger LOG = LoggerFactory.getLogger(TinybirdSinkWriter.class);

    private final HandOff<T> handOff;
    private final TinybirdElementConverter<T> converter;
    private final EventsApiClient client;
    private final ScheduledExecutorService scheduler;
    private final ErrorPolicyEnforcer errorPolicy;
    private final DeliveryContext deliveries;

    TinybirdSinkWriter(
            TinybirdElementConverter<T> converter,
            WriterInitContext context,
            AsyncSinkWriterConfiguration configuration,
            Collection<BufferedRequestState<TinybirdRecord>> states,
            DeliverySettings settings) {
        this(new HandOff<>(), converter, context, configuration, states, settings);
    }

    @SuppressWarnings("deprecation") // the 4-argument constructor is the one every Flink line has
    private TinybirdSinkWriter(
            HandOff<T> handOff,
            TinybirdElementConverter<T> converter,
            WriterInitContext context,
            AsyncSinkWriterConfiguration configuration,
            Collection<BufferedRequestState<TinybirdRecord>> states,
            DeliverySettings settings) {
        super(handOff, context, configuration, states);
        this.handOff = handOff;
        this.converter = converter;
        TaskInfo task = context.getTaskInfo();
        MailboxExecutor mailbox = context.getMailboxExecutor();
        SinkMetrics metrics =
                new SinkMetrics(context.metricGroup(), command -> mailbox.execute(command::run, "count records"));
        this.errorPolicy = new ErrorPolicyEnforcer(settings.errorPolicy, metrics);
        this.scheduler =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "tinybird-retry-" + task.getTaskNameWithSubtasks());
                            t.setDaemon(true);
                            return t;
                        });
        this.client =
                new EventsApiClient(
                        settings.endpoint,
                        settings.token(),
                        settings.wait,
                        settings.compression,
                        settings.httpCallTimeout(),
                        // 413 splits can briefly double the calls of one batch.
                        Math.max(4, configuration.getMaxInFlightRequests() * 2),
                        UserAgent.VALUE);
        this.deliveries = new DeliveryContext(settings, client, errorPolicy, metrics, scheduler);
        try {
            converter.open(context.asSerializationSchemaInitializationContext());
            errorPolicy.open(task.getIndexOfThisSubtask(), task.getAttemptNumber());
        } catch (Exception e) {
            close();
            throw new FlinkRuntimeException("could not open the Tinybird sink writer: " + e.getMessage(), e);
        }
        LOG.info("Tinybird sink writer {} started ({})", task.getTaskNameWithSubtasks(), settings);
    }

    @Override
    public void write(T element, SinkWriter.Context context) throws IOException, InterruptedException {
        TinybirdRecord record;
        try {
            record = converter.apply(element, context);
        } catch (RecordRejectedException rejected) {
            Exception fail =
                    errorPolicy.undeliverable(
                            rejected.dataSource(),
                            rejected.line() == null ? List.of() : List.of(rejected.line()),
                            rejected.getMessage(),
                            0,
                            true);
            if (fail instanceof RuntimeException) {
                throw (RuntimeException) fail;
            }
            if (fail != null) {
                throw new IOException(fail);
            }
            return;
        }
        handOff.next = record;
        super.write(element, context);
    }

    @Override
    protected void submitRequestEntries(List<TinybirdRecord> batch, ResultHandler<TinybirdRecord> resultHandler) {
        new BatchDelivery(deliveries, resultHandler).start(batch);
    }

    @Override
    protected long getSizeInBytes(TinybirdRecord record) {
        return record.sizeInBytes();
    }

    @Override
    public void close() {
        deliveries.closed = true;
        client.close();
        scheduler.shutdownNow();
        try {
            errorPolicy.close();
        } catch (IOException e) {
            LOG.warn("Closing the dead-letter handler failed", e);
        }
        super.close();
    }

    /**
     * Flink's writer converts inside {@code write}; this sink converts first (to apply the error
     * policy) and hands the result over, so that each element is serialized once.
     */
    private static final class HandOff<T> implements ElementConverter<T, TinybirdRecord> {
        private static final long serialVersionUID = 1L;
        private transient TinybirdRecord next;

        @Override
        public TinybirdRecord apply(T element, SinkWriter.Context context) {
            TinybirdRecord record = next;
            next = null;
            return record;
        }
    }
}

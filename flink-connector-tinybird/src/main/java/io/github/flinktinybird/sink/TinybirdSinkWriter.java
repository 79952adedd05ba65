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
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Buffers records in Flink's async sink writer and delivers each batch Flink hands over through a
 * {@link BatchDelivery}. Elements that cannot become a record are given to the error policy here,
 * before they reach Flink's buffer (whose own size check would fail the job on every restart).
 *
 * <p>What the sink accepted and Tinybird has not confirmed is in one of three places: Flink's
 * buffer, a request in flight, or waiting out a retry backoff ({@link UnconfirmedRecords}). A
 * snapshot holds all three, so the checkpoint barrier never waits for Tinybird ({@code
 * flush(false)} returns at once); end of input ({@code flush(true)}) still delivers everything.
 * Records due for a retry are taken back into Flink's buffer on the task thread, woken by a timer;
 * while they wait they hold no in-flight slot.
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
    private final MailboxExecutor mailbox;
    private final UnconfirmedRecords unconfirmed = new UnconfirmedRecords();
    /** The sink's own rate limiter (always, unless a test configures another). */
    private final InFlightRequestLimiter limiter;
    /** Records and bytes in Flink's buffer, counted on the task thread: Flink does not expose them. */
    private long bufferedRecords;
    private long bufferedBytes;
    private final long maxBufferedBytes;
    private final int maxBufferedRecords;

    TinybirdSinkWriter(
            TinybirdElementConverter<T> converter,
            WriterInitContext context,
            AsyncSinkWriterConfiguration configuration,
            Collection<BufferedRequestState<TinybirdRecord>> states,
            DeliverySettings settings,
            SinkValidation.BatchSettings batch) {
        this(new HandOff<>(), converter, context, configuration, RestoredState.split(states, batch.maxRecordSizeInBytes), settings, batch);
    }

    @SuppressWarnings("deprecation") // the 4-argument constructor is the one every Flink line has
    private TinybirdSinkWriter(
            HandOff<T> handOff,
            TinybirdElementConverter<T> converter,
            WriterInitContext context,
            AsyncSinkWriterConfiguration configuration,
            RestoredState restored,
            DeliverySettings settings,
            SinkValidation.BatchSettings batch) {
        super(handOff, context, configuration, restored.fitting);
        this.handOff = handOff;
        this.maxBufferedBytes = batch.maxBufferedBytes;
        this.maxBufferedRecords = configuration.getMaxBufferedRequests();
        this.bufferedRecords = restored.records;
        this.bufferedBytes = restored.bytes;
        this.converter = converter;
        TaskInfo task = context.getTaskInfo();
        this.mailbox = context.getMailboxExecutor();
        this.limiter =
                configuration.getRateLimitingStrategy() instanceof InFlightRequestLimiter
                        ? (InFlightRequestLimiter) configuration.getRateLimitingStrategy()
                        : null;
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
        this.deliveries =
                new DeliveryContext(
                        settings,
                        client,
                        errorPolicy,
                        metrics,
                        scheduler,
                        unconfirmed,
                        this::wakeAfter,
                        limiter == null ? () -> {} : limiter::failedRequestEnded,
                        flowControl(settings, configuration, context));
        try {
            converter.open(context.asSerializationSchemaInitializationContext());
            errorPolicy.open(task.getIndexOfThisSubtask(), task.getAttemptNumber());
        } catch (Exception e) {
            close();
            throw new FlinkRuntimeException("could not open the Tinybird sink writer: " + e.getMessage(), e);
        }
        RuntimeException tooLarge = restored.handTooLargeTo(errorPolicy, batch.maxRecordSizeInBytes);
        if (tooLarge != null) {
            close();
            throw tooLarge;
        }
        LOG.info("Tinybird sink writer {} started ({})", task.getTaskNameWithSubtasks(), settings);
    }

    /** Per-Data-Source flow control, capping the limiter's requests in flight; null when switched off. */
    private DataSourceFlow flowControl(
            DeliverySettings settings, AsyncSinkWriterConfiguration configuration, WriterInitContext context) {
        if (!settings.flowControl) {
            return null;
        }
        FlowControlSettings flow =
                FlowControlSettings.withMaxInFlight(configuration.getMaxInFlightRequests(), settings.waitBudget);
        return new DataSourceFlow(flow, context.metricGroup(), limiter == null ? n -> {} : limiter::capInFlight);
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
        waitForRoom(record.sizeInBytes());
        add(record, element, context);
    }

    /**
     * Backpressure in bytes, as Flink's own write does in records: the task thread runs other mails
     * (answers, retry wake-ups) until what the subtask holds leaves room for {@code bytes} more. It
     * cannot wait forever: the bound is at least two full batches, and Flink sends a full batch
     * whenever nothing is in flight, so over the bound something is in flight or waiting for a
     * retry, and its answer or wake-up is a mail.
     *
     * <p>Records waiting for a retry or for flow control count against {@code
     * sink.requests.max-buffered} with Flink's buffer, since they come back through it: a Data
     * Source Tinybird holds back cannot pile up records beyond the bound the user set. Each waiting
     * record has its wake-up timer pending, so this wait ends too.
     */
    private void waitForRoom(long bytes) throws InterruptedException {
        while (heldBytes() > 0
                && (heldBytes() + bytes > maxBufferedBytes || waitingOverRecordBound())) {
            mailbox.yield();
        }
    }

    private boolean waitingOverRecordBound() {
        int waiting = unconfirmed.waitingRecords();
        return waiting > 0 && bufferedRecords + waiting >= maxBufferedRecords;
    }

    /** Bytes of NDJSON this subtask holds: buffered, in flight and waiting for a retry. */
    long heldBytes() {
        return bufferedBytes + unconfirmed.bytes();
    }

    /** Hands a record to Flink's buffer (which may send a batch, or wait while it is full). */
    private void add(TinybirdRecord record, T element, SinkWriter.Context context) throws IOException, InterruptedException {
        handOff.push(record);
        bufferedRecords++;
        bufferedBytes += record.sizeInBytes();
        super.write(element, context);
    }

    @Override
    protected void submitRequestEntries(List<TinybirdRecord> batch, ResultHandler<TinybirdRecord> resultHandler) {
        if (limiter != null) {
            limiter.batchCut();
        }
        // One pass over the batch for all the task thread needs of it: a batch is cut from records
        // made long ago, mostly out of the CPU's caches, so each pass costs a miss per record.
        long bytes = 0;
        String dataSource = batch.isEmpty() ? null : batch.get(0).getDataSource();
        for (TinybirdRecord record : batch) {
            bytes += record.sizeInBytes();
            if (dataSource != null && !dataSource.equals(record.getDataSource())) {
                dataSource = null;
            }
        }
        bufferedRecords -= batch.size();
        bufferedBytes -= bytes;
        new BatchDelivery(deliveries, resultHandler).start(batch, bytes, dataSource);
    }

    /**
     * {@code flush(false)} comes before each checkpoint barrier: it returns at once, since {@link
     * #snapshotState} holds what is in flight or waiting. {@code flush(true)} (end of input, a
     * drained stop) sends everything and returns once Tinybird confirmed all of it, retries
     * included.
     */
    @Override
    public void flush(boolean endOfInput) throws InterruptedException {
        if (!endOfInput) {
            return;
        }
        while (true) {
            super.flush(true); // sends the buffer and waits until nothing is in flight
            if (unconfirmed.waitingRecords() == 0) {
                return;
            }
            boolean tookBack;
            try {
                tookBack = takeBackDueRecords();
            } catch (IOException e) {
                throw new FlinkRuntimeException(e); // Flink's write declares it, never throws it
            }
            if (!tookBack) {
                mailbox.yield(); // until the wake-up of the next record due, or an answer
            }
        }
    }

    /**
     * Every record in flight, waiting for a retry, or in Flink's buffer: one state per request in
     * flight, whose bytes are made once for all the checkpoints it is in (a request stays in flight
     * for Tinybird's commit latency, often longer than the checkpoint interval), then one for the
     * waiting records and Flink's buffer, which change from one checkpoint to the next.
     */
    @Override
    public List<BufferedRequestState<TinybirdRecord>> snapshotState(long checkpointId) {
        List<BufferedRequestState<TinybirdRecord>> buffered = super.snapshotState(checkpointId);
        return unconfirmed.snapshot().states(buffered);
    }

    /** Any thread: wakes the task thread after {@code delay} to take back records due by then. */
    private void wakeAfter(Duration delay) {
        try {
            scheduler.schedule(
                    () -> {
                        try {
                            mailbox.execute(this::woken, "take back Tinybird records due for a retry");
                        } catch (RuntimeException closed) {
                            LOG.debug("Writer closed before records due for a retry were taken back");
                        }
                    },
                    delay.toNanos(),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            LOG.debug("Writer closed before a retry could be scheduled");
        }
    }

    private void woken() throws IOException, InterruptedException {
        if (!takeBackDueRecords() && unconfirmed.waitingRecords() > 0) {
            wakeAfter(Duration.ofNanos(unconfirmed.nanosUntilNextDue(System.nanoTime())));
        }
    }

    /**
     * Task thread: moves the records due for a retry back into Flink's buffer, one at a time (each
     * leaves {@link UnconfirmedRecords} only as it enters the buffer), and has them sent at once
     * rather than after a full batch or the buffer timer.
     *
     * @return whether any record was due
     */
    private boolean takeBackDueRecords() throws IOException, InterruptedException {
        long now = System.nanoTime();
        int due = unconfirmed.dueRecords(now);
        for (int i = 0; i < due; i++) {
            TinybirdRecord record = unconfirmed.pollDue(now);
            if (record == null) {
                break;
            }
            if (limiter != null && i == due - 1) {
                limiter.sendNext((int) Math.min(Integer.MAX_VALUE, bufferedRecords + 1));
            }
            add(record, null, NO_CONTEXT);
        }
        return due > 0;
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

    private static final SinkWriter.Context NO_CONTEXT =
            new SinkWriter.Context() {
                @Override
                public long currentWatermark() {
                    return Long.MIN_VALUE;
                }

                @Override
                public Long timestamp() {
                    return null;
                }
            };

    /**
     * Flink's writer converts inside {@code write}; this sink converts first (to apply the error
     * policy) and hands the result over, so that each element is serialized once.
     */
    private static final class HandOff<T> implements ElementConverter<T, TinybirdRecord> {
        private static final long serialVersionUID = 1L;
        /**
         * Records handed to Flink's write, last in first out: Flink converts only after waiting
         * for room in its buffer, and while it waits the mailbox may run a retry wake-up that
         * hands over and converts a record of its own, whole, before the outer one is converted.
         */
        private transient ArrayDeque<TinybirdRecord> next;

        void push(TinybirdRecord record) {
            if (next == null) {
                next = new ArrayDeque<>();
            }
            next.push(record);
        }

        @Override
        public TinybirdRecord apply(T element, SinkWriter.Context context) {
            return next.pop();
        }
    }
}

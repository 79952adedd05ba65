package io.github.flinktinybird.sink;

import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.base.sink.AsyncSinkBaseBuilder;

import io.github.flinktinybird.error.ErrorPolicy;
import io.github.flinktinybird.http.Compression;
import io.github.flinktinybird.http.RetryPolicy;
import io.github.flinktinybird.serialize.JacksonSerializationSchema;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds a {@link TinybirdSink}. Everything is validated in {@link #build()}, on the client where
 * the job is submitted, with messages that say what to change. Settings come from the setters and
 * from {@link #configure(ReadableConfig)}; whichever is called later wins.
 *
 * <pre>{@code
 * TinybirdSink<Event> sink = TinybirdSink.<Event>builder()
 *     .setToken(token)
 *     .setDataSource("events")
 *     .configure(env.getConfiguration())   // e.g. -Dsink.batch.max-size=5000
 *     .build();
 * }</pre>
 *
 * @param <T> the element type
 */
public class TinybirdSinkBuilder<T> extends AsyncSinkBaseBuilder<T, TinybirdRecord, TinybirdSinkBuilder<T>> {

    private String endpoint = TinybirdSinkOptions.ENDPOINT.defaultValue();
    private String token;
    private String tokenEnvironmentVariable;
    private String tokenFile;
    private String dataSource;
    private DataSourceSelector<T> dataSourceSelector;
    private SerializationSchema<T> serializationSchema;
    private boolean wait = TinybirdSinkOptions.WAIT.defaultValue();
    private Compression compression = TinybirdSinkOptions.COMPRESSION.defaultValue();
    private boolean allowInsecureHttp = TinybirdSinkOptions.ALLOW_INSECURE_HTTP.defaultValue();
    private Duration requestTimeout = TinybirdSinkOptions.REQUEST_TIMEOUT.defaultValue();
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private ErrorPolicy errorPolicy = ErrorPolicy.fail();
    private Long maxBufferedBytes;
    private boolean flowControl = TinybirdSinkOptions.FLOW_CONTROL_ENABLED.defaultValue();
    private Duration flowControlWaitBudget = TinybirdSinkOptions.FLOW_CONTROL_WAIT_BUDGET.defaultValue();

    TinybirdSinkBuilder() {}

    /** Base URL of the Tinybird API, e.g. {@code https://api.us-east.tinybird.co}. */
    public TinybirdSinkBuilder<T> setEndpoint(String endpoint) {
        this.endpoint = endpoint;
        return this;
    }

    /**
     * The Tinybird token itself (scope {@code DATASOURCE:APPEND}). It then travels inside the job
     * graph; {@link #setTokenEnvironmentVariable} or {@link #setTokenFile} keep it out. Exactly one
     * of the three is required; {@code null} unsets it.
     */
    public TinybirdSinkBuilder<T> setToken(String token) {
        this.token = token;
        return this;
    }

    /**
     * Reads the token from this environment variable of the TaskManagers when each writer opens
     * ({@code token.env-var}), so that neither the job graph nor the client holds it. Exactly one
     * token source is required; {@code null} unsets it.
     */
    public TinybirdSinkBuilder<T> setTokenEnvironmentVariable(String name) {
        this.tokenEnvironmentVariable = name;
        return this;
    }

    /**
     * Reads the token from this file on the TaskManagers when each writer opens ({@code
     * token.file}), e.g. a mounted Kubernetes secret; surrounding whitespace (a trailing newline) is
     * trimmed. Neither the job graph nor the client holds the token. Exactly one token source is
     * required; {@code null} unsets it.
     */
    public TinybirdSinkBuilder<T> setTokenFile(String path) {
        this.tokenFile = path;
        return this;
    }

    /** The Data Source every element goes to. */
    public TinybirdSinkBuilder<T> setDataSource(String dataSource) {
        this.dataSource = dataSource;
        return this;
    }

    /** Chooses the Data Source per element, instead of {@link #setDataSource(String)}. */
    public TinybirdSinkBuilder<T> setDataSourceSelector(DataSourceSelector<T> selector) {
        this.dataSourceSelector = selector;
        return this;
    }

    /**
     * Serializes each element to one JSON object. Optional: without it, elements are written with
     * {@link JacksonSerializationSchema}. Output that is not one JSON object is rejected per record
     * (error policy); pretty-printed output is sent compact.
     */
    public TinybirdSinkBuilder<T> setSerializationSchema(SerializationSchema<T> schema) {
        this.serializationSchema = schema;
        return this;
    }

    /** {@code wait=true} (default): a request succeeds only once Tinybird committed its rows. */
    public TinybirdSinkBuilder<T> setWait(boolean wait) {
        this.wait = wait;
        return this;
    }

    /** Request body compression; default {@link Compression#GZIP}. */
    public TinybirdSinkBuilder<T> setCompression(Compression compression) {
        this.compression = compression;
        return this;
    }

    /** Allow a plain {@code http://} endpoint on a host other than loopback. */
    public TinybirdSinkBuilder<T> setAllowInsecureHttp(boolean allowInsecureHttp) {
        this.allowInsecureHttp = allowInsecureHttp;
        return this;
    }

    /** Longest time one request, with its retry backoff, may take; default 60 s. */
    public TinybirdSinkBuilder<T> setRequestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
        return this;
    }

    /** How failed requests are retried; default {@link RetryPolicy#defaults()}. */
    public TinybirdSinkBuilder<T> setRetryPolicy(RetryPolicy retryPolicy) {
        this.retryPolicy = retryPolicy;
        return this;
    }

    /** What happens to undeliverable records; default {@link ErrorPolicy#fail()}. */
    public TinybirdSinkBuilder<T> setErrorPolicy(ErrorPolicy errorPolicy) {
        this.errorPolicy = errorPolicy;
        return this;
    }

    /**
     * Most bytes of NDJSON one subtask holds, buffered, in flight and waiting for a retry together,
     * before {@code write} applies backpressure; default {@link
     * TinybirdSinkOptions#MAX_BUFFERED_BYTES} (64 MiB), and at least twice {@code
     * setMaxBatchSizeInBytes}.
     */
    public TinybirdSinkBuilder<T> setMaxBufferedBytes(long maxBufferedBytes) {
        this.maxBufferedBytes = maxBufferedBytes;
        return this;
    }

    /** Per-Data-Source flow control, on by default; see {@link TinybirdSinkOptions#FLOW_CONTROL_ENABLED}. */
    public TinybirdSinkBuilder<T> setFlowControl(boolean enabled) {
        this.flowControl = enabled;
        return this;
    }

    /**
     * How long a Data Source may stay throttled with nothing committed; default {@link
     * TinybirdSinkOptions#FLOW_CONTROL_WAIT_BUDGET} (5 minutes).
     */
    public TinybirdSinkBuilder<T> setFlowControlWaitBudget(Duration waitBudget) {
        this.flowControlWaitBudget = waitBudget;
        return this;
    }

    /**
     * Applies every {@link TinybirdSinkOptions} key present in {@code config} (job configuration,
     * {@code -D} options, table options); keys that are absent leave the builder as it is.
     */
    public TinybirdSinkBuilder<T> configure(ReadableConfig config) {
        config.getOptional(TinybirdSinkOptions.ENDPOINT).ifPresent(this::setEndpoint);
        config.getOptional(TinybirdSinkOptions.TOKEN).ifPresent(this::setToken);
        config.getOptional(TinybirdSinkOptions.TOKEN_ENV_VAR).ifPresent(this::setTokenEnvironmentVariable);
        config.getOptional(TinybirdSinkOptions.TOKEN_FILE).ifPresent(this::setTokenFile);
        config.getOptional(TinybirdSinkOptions.DATASOURCE).ifPresent(this::setDataSource);
        config.getOptional(TinybirdSinkOptions.WAIT).ifPresent(this::setWait);
        config.getOptional(TinybirdSinkOptions.COMPRESSION).ifPresent(this::setCompression);
        config.getOptional(TinybirdSinkOptions.ALLOW_INSECURE_HTTP).ifPresent(this::setAllowInsecureHttp);
        config.getOptional(TinybirdSinkOptions.MAX_BATCH_SIZE).ifPresent(this::setMaxBatchSize);
        config.getOptional(TinybirdSinkOptions.FLUSH_BUFFER_SIZE).ifPresent(this::setMaxBatchSizeInBytes);
        config.getOptional(TinybirdSinkOptions.FLUSH_BUFFER_TIMEOUT).ifPresent(this::setMaxTimeInBufferMS);
        config.getOptional(TinybirdSinkOptions.MAX_IN_FLIGHT_REQUESTS).ifPresent(this::setMaxInFlightRequests);
        config.getOptional(TinybirdSinkOptions.MAX_BUFFERED_REQUESTS).ifPresent(this::setMaxBufferedRequests);
        config.getOptional(TinybirdSinkOptions.MAX_RECORD_SIZE).ifPresent(this::setMaxRecordSizeInBytes);
        config.getOptional(TinybirdSinkOptions.REQUEST_TIMEOUT).ifPresent(this::setRequestTimeout);
        config.getOptional(TinybirdSinkOptions.MAX_BUFFERED_BYTES).ifPresent(this::setMaxBufferedBytes);
        config.getOptional(TinybirdSinkOptions.FLOW_CONTROL_ENABLED).ifPresent(this::setFlowControl);
        config.getOptional(TinybirdSinkOptions.FLOW_CONTROL_WAIT_BUDGET).ifPresent(this::setFlowControlWaitBudget);

        RetryPolicy.Builder retry =
                RetryPolicy.builder()
                        .maxAttempts(config.getOptional(TinybirdSinkOptions.RETRY_MAX_ATTEMPTS).orElse(retryPolicy.getMaxAttempts()))
                        .initialBackoff(config.getOptional(TinybirdSinkOptions.RETRY_INITIAL_BACKOFF).orElse(retryPolicy.getInitialBackoff()))
                        .maxBackoff(config.getOptional(TinybirdSinkOptions.RETRY_MAX_BACKOFF).orElse(retryPolicy.getMaxBackoff()))
                        .jitter(config.getOptional(TinybirdSinkOptions.RETRY_JITTER).orElse(retryPolicy.getJitter()));
        this.retryPolicy = retry.build();

        Optional<ErrorPolicy.Action> action = config.getOptional(TinybirdSinkOptions.ERROR_POLICY);
        Optional<String> deadLetterPath = config.getOptional(TinybirdSinkOptions.DEAD_LETTER_PATH);
        if (action.isPresent() || deadLetterPath.isPresent()) {
            // A key present wins over the policy set before configure(), like every other key; the
            // path alone applies to the policy the builder already has.
            this.errorPolicy = errorPolicyFor(action.orElse(errorPolicy.getAction()), deadLetterPath.orElse(null));
        }
        config.getOptional(TinybirdSinkOptions.FAIL_ON_PARTIAL_INGEST)
                .ifPresent(fail -> this.errorPolicy = errorPolicy.withFailOnPartialIngest(fail));
        return this;
    }

    private ErrorPolicy errorPolicyFor(ErrorPolicy.Action action, String deadLetterPath) {
        boolean failOnPartialIngest = errorPolicy.isFailOnPartialIngest();
        if (deadLetterPath != null && action != ErrorPolicy.Action.DEAD_LETTER) {
            throw new IllegalArgumentException(
                    "sink.error-policy.dead-letter-path is set but the error policy is "
                            + action
                            + ": also set sink.error-policy=DEAD_LETTER");
        }
        switch (action) {
            case DISCARD:
                return ErrorPolicy.discard().withFailOnPartialIngest(failOnPartialIngest);
            case DEAD_LETTER:
                if (deadLetterPath != null) {
                    return ErrorPolicy.deadLetterTo(deadLetterPath).withFailOnPartialIngest(failOnPartialIngest);
                }
                if (errorPolicy.getAction() == ErrorPolicy.Action.DEAD_LETTER) {
                    // The handler came from setErrorPolicy and no key names another place.
                    return errorPolicy;
                }
                throw new IllegalArgumentException(
                        "sink.error-policy is DEAD_LETTER but sink.error-policy.dead-letter-path"
                                + " is not set: set it to a directory URI, e.g."
                                + " file:///var/tmp/tinybird-dead-letters or s3://bucket/dead-letters");
            case FAIL:
            default:
                return ErrorPolicy.fail().withFailOnPartialIngest(failOnPartialIngest);
        }
    }

    @Override
    public TinybirdSink<T> build() {
        long batchBytes = orDefault(getMaxBatchSizeInBytes(), TinybirdSinkOptions.FLUSH_BUFFER_SIZE.defaultValue());
        SinkValidation.BatchSettings batch =
                SinkValidation.batchSettings(
                        orDefault(getMaxBatchSize(), TinybirdSinkOptions.MAX_BATCH_SIZE.defaultValue()),
                        orDefault(getMaxInFlightRequests(), TinybirdSinkOptions.MAX_IN_FLIGHT_REQUESTS.defaultValue()),
                        orDefault(getMaxBufferedRequests(), TinybirdSinkOptions.MAX_BUFFERED_REQUESTS.defaultValue()),
                        orDefault(getMaxBatchSizeInBytes(), TinybirdSinkOptions.FLUSH_BUFFER_SIZE.defaultValue()),
                        orDefault(getMaxTimeInBufferMS(), TinybirdSinkOptions.FLUSH_BUFFER_TIMEOUT.defaultValue()),
                        // An unset record cap follows a smaller batch: a record must fit in a request.
                        orDefault(getMaxRecordSizeInBytes(), Math.min(TinybirdSinkOptions.MAX_RECORD_SIZE.defaultValue(), batchBytes)),
                        orDefault(maxBufferedBytes, TinybirdSinkOptions.MAX_BUFFERED_BYTES.defaultValue()));
        String target = SinkValidation.dataSource(dataSource, dataSourceSelector);
        Objects.requireNonNull(compression, "compression must not be null: use Compression.GZIP or Compression.NONE");
        Objects.requireNonNull(retryPolicy, "retryPolicy must not be null: use RetryPolicy.defaults()");
        Objects.requireNonNull(errorPolicy, "errorPolicy must not be null: use ErrorPolicy.fail()");
        SinkValidation.timing(requestTimeout, retryPolicy);
        DeliverySettings settings =
                new DeliverySettings(
                        SinkValidation.endpoint(endpoint, allowInsecureHttp),
                        SinkValidation.tokenSource(token, tokenEnvironmentVariable, tokenFile),
                        wait,
                        compression,
                        requestTimeout,
                        retryPolicy,
                        errorPolicy,
                        flowControl,
                        SinkValidation.waitBudget(flowControlWaitBudget));
        SerializationSchema<T> schema =
                serializationSchema != null ? serializationSchema : new JacksonSerializationSchema<>();
        TinybirdElementConverter<T> converter =
                new TinybirdElementConverter<>(schema, target, dataSourceSelector, batch.maxRecordSizeInBytes);
        return new TinybirdSink<>(converter, batch, settings);
    }

    private static <V> V orDefault(V value, V fallback) {
        return value != null ? value : fallback;
    }
}

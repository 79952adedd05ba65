package io.github.flinktinybird.sink;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import io.github.flinktinybird.error.ErrorPolicy;
import io.github.flinktinybird.http.Compression;
import io.github.flinktinybird.http.RetryPolicy;

import java.time.Duration;
import java.util.List;

/**
 * Every setting of the Tinybird sink as a Flink {@link ConfigOption}: the one place that defines
 * keys, defaults and descriptions, for {@link TinybirdSinkBuilder#configure}, for SQL tables and
 * for the documentation. The batching keys are those of Flink's async sinks.
 *
 * <p>Defaults are sized for Tinybird's limits: a request carries at most 10 MB of NDJSON
 * (uncompressed) on every plan, and each request counts once against the per-Data-Source rate
 * limit whatever its row count, so batches are large and few.
 */
public final class TinybirdSinkOptions {

    /** Tinybird's smallest request size limit (Free plan), which every batch must fit. */
    public static final long MAX_REQUEST_BYTES = 10_000_000L;

    public static final ConfigOption<String> ENDPOINT =
            ConfigOptions.key("endpoint")
                    .stringType()
                    .defaultValue("https://api.tinybird.co")
                    .withDescription(
                            "Base URL of the Tinybird API of your Workspace's region, e.g."
                                    + " https://api.us-east.tinybird.co, or http://localhost:7181 for"
                                    + " Tinybird Local. No path.");

    public static final ConfigOption<String> TOKEN =
            ConfigOptions.key("token")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Tinybird token with the DATASOURCE:APPEND scope on the Data Sources"
                                    + " written. Exactly one of token, token.env-var and token.file is"
                                    + " required. A token given here is part of the job graph and, in"
                                    + " SQL, of the table's options, which SHOW CREATE TABLE prints"
                                    + " unmasked: prefer token.env-var or token.file.");

    public static final ConfigOption<String> TOKEN_ENV_VAR =
            ConfigOptions.key("token.env-var")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Name of an environment variable of the TaskManagers that holds the"
                                    + " token (e.g. TINYBIRD_TOKEN). It is read when each sink writer"
                                    + " opens, so the token is in neither the job graph nor the DDL.");

    public static final ConfigOption<String> TOKEN_FILE =
            ConfigOptions.key("token.file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Path of a file on the TaskManagers that holds the token, e.g. a mounted"
                                    + " Kubernetes secret; surrounding whitespace is trimmed. It is read"
                                    + " when each sink writer opens, so the token is in neither the job"
                                    + " graph nor the DDL.");

    public static final ConfigOption<String> DATASOURCE =
            ConfigOptions.key("datasource")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Name of the Tinybird Data Source the events are appended to.");

    public static final ConfigOption<Boolean> WAIT =
            ConfigOptions.key("wait")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Send wait=true, so that Tinybird answers only once the rows are"
                                    + " committed. Only then is delivery at-least-once: a 202 under"
                                    + " wait=false can still be lost.");

    public static final ConfigOption<Compression> COMPRESSION =
            ConfigOptions.key("compression")
                    .enumType(Compression.class)
                    .defaultValue(Compression.GZIP)
                    .withDescription("Request body compression: GZIP or NONE.");

    public static final ConfigOption<Boolean> ALLOW_INSECURE_HTTP =
            ConfigOptions.key("allow-insecure-http")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Allow a plain http:// endpoint on a host other than loopback (e.g."
                                    + " Tinybird Local in Docker at http://tinybird-local:7181). The"
                                    + " token then travels unencrypted.");

    public static final ConfigOption<Integer> MAX_BATCH_SIZE =
            ConfigOptions.key("sink.batch.max-size")
                    .intType()
                    .defaultValue(10_000)
                    .withDescription("Most records in one request.");

    public static final ConfigOption<Long> FLUSH_BUFFER_SIZE =
            ConfigOptions.key("sink.flush-buffer.size")
                    .longType()
                    .defaultValue(8L * 1024 * 1024)
                    .withDescription(
                            "Most bytes of NDJSON (uncompressed) in one request; at most 10,000,000,"
                                    + " Tinybird's request limit.");

    public static final ConfigOption<Long> FLUSH_BUFFER_TIMEOUT =
            ConfigOptions.key("sink.flush-buffer.timeout")
                    .longType()
                    .defaultValue(1_000L)
                    .withDescription(
                            "Longest time in milliseconds a record waits in the buffer before its"
                                    + " batch is sent.");

    public static final ConfigOption<Integer> MAX_IN_FLIGHT_REQUESTS =
            ConfigOptions.key("sink.requests.max-inflight")
                    .intType()
                    .defaultValue(32)
                    .withDescription(
                            "Most requests in flight at once per sink subtask. With flow control,"
                                    + " the requests in flight follow the Data Source's rate times"
                                    + " its commit latency below this cap; 32 keeps a quota of 10"
                                    + " requests/s busy at 3 s commit latency from one subtask.");

    public static final ConfigOption<Integer> MAX_BUFFERED_REQUESTS =
            ConfigOptions.key("sink.requests.max-buffered")
                    .intType()
                    .defaultValue(100_000)
                    .withDescription(
                            "Most records buffered per subtask before the sink applies"
                                    + " backpressure, records waiting for a retry or for flow"
                                    + " control included; must exceed sink.batch.max-size.");

    public static final ConfigOption<Long> MAX_RECORD_SIZE =
            ConfigOptions.key("sink.max-record-size")
                    .longType()
                    .defaultValue(1024L * 1024)
                    .withDescription(
                            "Largest record in bytes (its NDJSON line and newline); a larger one goes"
                                    + " to the error policy. At most sink.flush-buffer.size; when not"
                                    + " set, sink.flush-buffer.size if that is smaller than 1 MiB.");

    public static final ConfigOption<Duration> REQUEST_TIMEOUT =
            ConfigOptions.key("sink.request-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription(
                            "Longest time one batch's requests (413 halves and time queued for a"
                                    + " connection included) may take. One HTTP call may take half of"
                                    + " it; records still unanswered after the whole of it are retried.");

    public static final ConfigOption<Integer> RETRY_MAX_ATTEMPTS =
            ConfigOptions.key("sink.retry.max-attempts")
                    .intType()
                    .defaultValue(RetryPolicy.DEFAULT_MAX_ATTEMPTS)
                    .withDescription(
                            "Sends in all (the first included) of a record that keeps failing with"
                                    + " 429, 5xx or an I/O error before the error policy takes over.");

    public static final ConfigOption<Duration> RETRY_INITIAL_BACKOFF =
            ConfigOptions.key("sink.retry.initial-backoff")
                    .durationType()
                    .defaultValue(RetryPolicy.DEFAULT_INITIAL_BACKOFF)
                    .withDescription("Wait before the first retry; it doubles on each further one.");

    public static final ConfigOption<Duration> RETRY_MAX_BACKOFF =
            ConfigOptions.key("sink.retry.max-backoff")
                    .durationType()
                    .defaultValue(RetryPolicy.DEFAULT_MAX_BACKOFF)
                    .withDescription(
                            "Longest wait between retries, also the cap on a Retry-After from"
                                    + " Tinybird; at most half of sink.request-timeout.");

    public static final ConfigOption<Double> RETRY_JITTER =
            ConfigOptions.key("sink.retry.jitter")
                    .doubleType()
                    .defaultValue(RetryPolicy.DEFAULT_JITTER)
                    .withDescription(
                            "Fraction (0 to 1) by which each wait is randomly shortened, so that"
                                    + " subtasks do not retry in step.");

    public static final ConfigOption<ErrorPolicy.Action> ERROR_POLICY =
            ConfigOptions.key("sink.error-policy")
                    .enumType(ErrorPolicy.Action.class)
                    .defaultValue(ErrorPolicy.Action.FAIL)
                    .withDescription(
                            "What happens to records that cannot be delivered (rejected by"
                                    + " Tinybird, retries exhausted, too large, not serializable):"
                                    + " FAIL the job, DEAD_LETTER them to"
                                    + " sink.error-policy.dead-letter-path, or DISCARD them (counted"
                                    + " and logged).");

    public static final ConfigOption<String> DEAD_LETTER_PATH =
            ConfigOptions.key("sink.error-policy.dead-letter-path")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Directory (any Flink file system URI: file://, hdfs://, s3://, gs://,"
                                    + " abfs://, ...) where DEAD_LETTER writes undeliverable records:"
                                    + " one NDJSON file per dead-letter batch,"
                                    + " tinybird-dead-letters-SUBTASK-ATTEMPT-WRITER-SEQUENCE.ndjson, each"
                                    + " closed (which commits it on object stores) before its records"
                                    + " leave the sink's state. Also applies to a DEAD_LETTER policy set"
                                    + " in code before configure().");

    public static final ConfigOption<Boolean> FAIL_ON_PARTIAL_INGEST =
            ConfigOptions.key("sink.error-policy.fail-on-partial-ingest")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Fail the job on a 422 (rows written, a Materialized View failed)."
                                    + " Otherwise it is logged at ERROR and counted; it is never"
                                    + " retried, since that would duplicate rows.");

    public static final ConfigOption<Long> MAX_BUFFERED_BYTES =
            ConfigOptions.key("sink.max-buffered-bytes")
                    .longType()
                    .defaultValue(64L * 1024 * 1024)
                    .withDescription(
                            "Most bytes of NDJSON one subtask holds (buffered, in flight and waiting"
                                    + " for a retry) before write() applies backpressure, whatever the"
                                    + " event size; at least twice sink.flush-buffer.size.");

    public static final ConfigOption<Boolean> FLOW_CONTROL_ENABLED =
            ConfigOptions.key("sink.flow-control.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Pace requests per Data Source from Tinybird's answers (rate-limit"
                                    + " headers, 429, Retry-After) and let the requests in flight follow"
                                    + " the commit latency, up to sink.requests.max-inflight. A wait"
                                    + " Tinybird asks for does not spend a retry attempt. Off: every"
                                    + " 429 is a failed attempt, as before.");

    public static final ConfigOption<Duration> FLOW_CONTROL_WAIT_BUDGET =
            ConfigOptions.key("sink.flow-control.wait-budget")
                    .durationType()
                    .defaultValue(FlowControlSettings.DEFAULT_WAIT_BUDGET)
                    .withDescription(
                            "How long a Data Source may stay throttled (429, or 503 with"
                                    + " Retry-After) with nothing committed before its records go to"
                                    + " the error policy (which fails the job by default).");

    private TinybirdSinkOptions() {}

    /** Every option, in documentation order. */
    public static List<ConfigOption<?>> all() {
        return List.of(
                ENDPOINT,
                TOKEN,
                TOKEN_ENV_VAR,
                TOKEN_FILE,
                DATASOURCE,
                WAIT,
                COMPRESSION,
                ALLOW_INSECURE_HTTP,
                MAX_BATCH_SIZE,
                FLUSH_BUFFER_SIZE,
                FLUSH_BUFFER_TIMEOUT,
                MAX_IN_FLIGHT_REQUESTS,
                MAX_BUFFERED_REQUESTS,
                MAX_RECORD_SIZE,
                REQUEST_TIMEOUT,
                RETRY_MAX_ATTEMPTS,
                RETRY_INITIAL_BACKOFF,
                RETRY_MAX_BACKOFF,
                RETRY_JITTER,
                ERROR_POLICY,
                DEAD_LETTER_PATH,
                FAIL_ON_PARTIAL_INGEST,
                MAX_BUFFERED_BYTES,
                FLOW_CONTROL_ENABLED,
                FLOW_CONTROL_WAIT_BUDGET);
    }
}

package io.github.flinktinybird.sink;

import org.apache.flink.connector.testframe.environment.MiniClusterTestEnvironment;
import org.apache.flink.connector.testframe.junit.annotations.TestContext;
import org.apache.flink.connector.testframe.junit.annotations.TestEnv;
import org.apache.flink.connector.testframe.junit.annotations.TestExternalSystem;
import org.apache.flink.connector.testframe.junit.annotations.TestSemantics;
import org.apache.flink.connector.testframe.testsuites.SinkTestSuiteBase;
import org.apache.flink.core.execution.CheckpointingMode;

import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

/**
 * Flink's connector test suite for sinks ({@code testBasicSink}, {@code testStartFromSavepoint},
 * {@code testScaleUp}, {@code testScaleDown}, {@code testMetrics}) run against the local Events
 * API emulator, at least once: the sink may resend records, so duplicates of expected records
 * are allowed, missing or unexpected records are not. The emulator injects no faults, so that
 * {@code testMetrics} sees each record sent exactly once.
 */
// The suite's own waits have no deadline; a stuck case must fail rather than hang the build.
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class TinybirdSinkTestSuiteITCase extends SinkTestSuiteBase<String> {

    @TestEnv
    MiniClusterTestEnvironment flink = new MiniClusterTestEnvironment();

    @TestExternalSystem
    EventsApiEmulatorResource emulator = new EventsApiEmulatorResource();

    @TestContext
    TinybirdSinkExternalContextFactory contexts = new TinybirdSinkExternalContextFactory(emulator);

    @TestSemantics
    CheckpointingMode[] semantics = {CheckpointingMode.AT_LEAST_ONCE};
}

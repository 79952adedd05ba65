package io.github.flinktinybird.sink;

import org.apache.flink.connector.testframe.external.ExternalContextFactory;

import java.util.Objects;

/** Creates one {@link TinybirdSinkExternalContext}, with a fresh Data Source, per test case. */
final class TinybirdSinkExternalContextFactory implements ExternalContextFactory<TinybirdSinkExternalContext> {

    private final EventsApiEmulatorResource emulator;

    TinybirdSinkExternalContextFactory(EventsApiEmulatorResource emulator) {
        this.emulator = Objects.requireNonNull(emulator, "emulator");
    }

    @Override
    public TinybirdSinkExternalContext createExternalContext(String testName) {
        // Called after the external system started, so the emulator's endpoint is known here.
        return new TinybirdSinkExternalContext(emulator.emulator());
    }
}

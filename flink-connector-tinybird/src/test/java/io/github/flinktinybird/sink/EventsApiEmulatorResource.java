package io.github.flinktinybird.sink;

import org.apache.flink.connector.testframe.TestResource;

import io.github.flinktinybird.emulator.EventsApiEmulator;

/**
 * The local Events API emulator as the "external system" of Flink's connector test suite. One
 * emulator serves a whole test class; each external context writes to its own Data Source.
 * It injects no faults, so every record is sent exactly once unless Flink itself resends.
 */
final class EventsApiEmulatorResource implements TestResource {

    private EventsApiEmulator emulator;

    @Override
    public synchronized void startUp() {
        if (emulator == null) {
            emulator = EventsApiEmulator.builder().start();
        }
    }

    @Override
    public synchronized void tearDown() {
        if (emulator != null) {
            emulator.close();
            emulator = null;
        }
    }

    /** The running emulator. */
    synchronized EventsApiEmulator emulator() {
        if (emulator == null) {
            throw new IllegalStateException("the Events API emulator is not started");
        }
        return emulator;
    }

    @Override
    public String toString() {
        return "EventsApiEmulator";
    }
}

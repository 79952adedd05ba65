package io.github.flinktinybird.testutil;

import org.apache.flink.runtime.util.EnvironmentInformation;

/** The Flink line ({@code major.minor}) this build's tests run on, for the few line-specific expectations. */
public final class FlinkLine {
    /** For example {@code "2.2"} or {@code "1.20"}. */
    public static final String CURRENT = EnvironmentInformation.getVersion().replaceFirst("^(\\d+\\.\\d+)\\..*$", "$1");

    private FlinkLine() {}

    /** Whether the tests run on {@code line}, e.g. {@code is("1.20")}. */
    public static boolean is(String line) {
        return CURRENT.equals(line);
    }
}

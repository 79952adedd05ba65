package io.github.flinktinybird.emulator;

/**
 * A line the emulator refused as a row and put in the {@code <name>_quarantine} store, as
 * Tinybird does with rows that do not fit a Data Source.
 */
public final class QuarantinedRow {

    private final String dataSource;
    private final String rawLine;
    private final String error;

    QuarantinedRow(String dataSource, String rawLine, String error) {
        this.dataSource = dataSource;
        this.rawLine = rawLine;
        this.error = error;
    }

    /** The Data Source the line was sent to. */
    public String dataSource() {
        return dataSource;
    }

    /** The name of the quarantine Data Source, {@code <dataSource>_quarantine}. */
    public String quarantineDataSource() {
        return dataSource + "_quarantine";
    }

    /** The line as received (decoded as UTF-8, line terminator removed). */
    public String rawLine() {
        return rawLine;
    }

    /** Why the line was refused; free text, meant for people rather than assertions on its wording. */
    public String error() {
        return error;
    }

    @Override
    public String toString() {
        return "QuarantinedRow{dataSource=" + dataSource + ", error=" + error + ", rawLine=" + rawLine + '}';
    }
}

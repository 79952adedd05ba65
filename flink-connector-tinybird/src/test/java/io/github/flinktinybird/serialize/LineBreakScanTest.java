package io.github.flinktinybird.serialize;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

/**
 * The line-break check the default schema's lines get reads eight bytes at a time (issue 13): a
 * line break at any position, in any length of line, next to any other byte, must be found, and
 * bytes that differ from one only in a bit (0x0B, 0x8A, 0x8D, 0x0C...) must not be taken for it.
 */
class LineBreakScanTest {
    /** Bytes near '\n' and '\r' in value or in bits, and the extremes. */
    private static final byte[] NOT_BREAKS = {0, 1, 9, 0x0B, 0x0C, 0x0E, 0x1A, 0x1D, 0x2A, 0x2D, 0x4A, 0x7F, (byte) 0x80, (byte) 0x8A, (byte) 0x8D, (byte) 0xFF, '{', 'n', 'r', '\\'};

    @Test
    void aLineBreakIsFoundAtEveryPositionOfLinesOfEveryLengthUpTo40() {
        for (int length = 1; length <= 40; length++) {
            for (byte filler : NOT_BREAKS) {
                for (int at = 0; at < length; at++) {
                    for (byte lineBreak : new byte[] {'\n', '\r'}) {
                        byte[] line = new byte[length];
                        Arrays.fill(line, filler);
                        line[at] = lineBreak;
                        assertThat(JsonLines.hasLineBreak(line))
                                .as("length %d, break 0x%02x at %d among 0x%02x", length, lineBreak, at, filler)
                                .isTrue();
                    }
                }
            }
        }
    }

    @Test
    void linesWithoutALineBreakAreNotFlaggedWhateverTheirOtherBytes() {
        assertThat(JsonLines.hasLineBreak(new byte[0])).isFalse();
        for (int length = 1; length <= 40; length++) {
            for (byte filler : NOT_BREAKS) {
                byte[] line = new byte[length];
                Arrays.fill(line, filler);
                assertThat(JsonLines.hasLineBreak(line)).as("length %d of 0x%02x", length, filler).isFalse();
            }
            // Every byte value but the two, in turn at each position of the line.
            byte[] mixed = new byte[length];
            for (int v = 0; v < 256; v++) {
                if (v == '\n' || v == '\r') {
                    continue;
                }
                for (int i = 0; i < length; i++) {
                    int b = (v + i * 7) & 0xFF;
                    mixed[i] = (byte) (b == '\n' || b == '\r' ? v : b);
                }
                assertThat(JsonLines.hasLineBreak(mixed)).as("length %d from 0x%02x", length, v).isFalse();
            }
        }
    }
}

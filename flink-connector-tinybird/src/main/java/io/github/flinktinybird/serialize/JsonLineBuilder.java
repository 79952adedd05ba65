package io.github.flinktinybird.serialize;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One JSON line, written byte by byte as Jackson's UTF-8 generator writes it with its default
 * settings: the same escapes ({@code \n}-style for the five short ones, a {@code u} escape with four
 * upper-case hex digits for other control characters and for each half of a surrogate pair, {@code
 * \"} and {@code \\}, nothing else), UTF-8 for every other character, {@code
 * Long.toString}/{@code Double.toString} digits, {@code NaN} and the infinities quoted. It skips
 * what the generator spends on each value (its output context, its own buffer and flush), which is
 * the point: {@link DirectBeanWriter} writes simple beans through it.
 *
 * <p>Whether a mapper's generator really writes this way is not assumed: {@link
 * #writesLikeGeneratorOf} compares the two on a probe covering every case, so that another Jackson
 * version or setting turns direct writing off rather than changing a byte. Not thread-safe.
 */
final class JsonLineBuilder {
    /** Per ASCII character: 0 written as it is, -1 as a {@code u00XX} escape, else the letter after a backslash. */
    private static final byte[] ESCAPES = new byte[128];
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final byte[] LONG_MIN = Long.toString(Long.MIN_VALUE).getBytes(StandardCharsets.US_ASCII);
    /** A buffer kept across lines; one grown past this by a long line is dropped after it. */
    private static final int MAX_KEPT_BUFFER = 64 * 1024;

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPES[c] = -1;
        }
        ESCAPES['\b'] = 'b';
        ESCAPES['\t'] = 't';
        ESCAPES['\n'] = 'n';
        ESCAPES['\f'] = 'f';
        ESCAPES['\r'] = 'r';
        ESCAPES['"'] = '"';
        ESCAPES['\\'] = '\\';
    }

    /** "00" to "99". */
    private static final byte[] DIGIT_PAIRS = new byte[200];
    /** 10^0 to 10^18. */
    private static final long[] POWERS_OF_TEN = new long[19];

    static {
        for (int i = 0; i < 100; i++) {
            DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
            DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
        POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
        }
    }

    private byte[] buf = new byte[512];
    private int len;

    /** Starts a new line. */
    void reset() {
        len = 0;
    }

    /** The line written since {@link #reset}, as an exactly sized array. */
    byte[] toLine() {
        byte[] line = Arrays.copyOf(buf, len);
        if (buf.length > MAX_KEPT_BUFFER) {
            buf = new byte[512];
        }
        return line;
    }

    void writeByte(char c) {
        ensure(1);
        buf[len++] = (byte) c;
    }

    void writeBytes(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
    }

    void writeBoolean(boolean value) {
        writeBytes(value ? TRUE : FALSE);
    }

    void writeNull() {
        writeBytes(NULL);
    }

    void writeLong(long value) {
        if (value == Long.MIN_VALUE) {
            writeBytes(LONG_MIN);
            return;
        }
        ensure(20);
        byte[] b = buf;
        int at = len;
        if (value < 0) {
            b[at++] = '-';
            value = -value;
        }
        int end = at + digits(value);
        // Two digits per division, right to left; int arithmetic once the rest fits in an int.
        int i = end;
        while (value > Integer.MAX_VALUE) {
            long hundredth = value / 100;
            int pair = (int) (value - hundredth * 100) << 1;
            b[--i] = DIGIT_PAIRS[pair + 1];
            b[--i] = DIGIT_PAIRS[pair];
            value = hundredth;
        }
        int rest = (int) value;
        while (rest >= 100) {
            int hundredth = rest / 100;
            int pair = (rest - hundredth * 100) << 1;
            b[--i] = DIGIT_PAIRS[pair + 1];
            b[--i] = DIGIT_PAIRS[pair];
            rest = hundredth;
        }
        if (rest >= 10) {
            b[--i] = DIGIT_PAIRS[(rest << 1) + 1];
            b[--i] = DIGIT_PAIRS[rest << 1];
        } else {
            b[--i] = (byte) ('0' + rest);
        }
        len = end;
    }

    /** Decimal digits of a value at least 0. */
    private static int digits(long value) {
        int n = 1;
        while (n < 19 && value >= POWERS_OF_TEN[n]) {
            n++;
        }
        return n;
    }

    /** As Jackson: the digits of {@code Double.toString}, and {@code NaN} and the infinities quoted. */
    void writeDouble(double value) {
        if (!writeShortDecimal(value)) {
            writeNumberText(Double.toString(value), Double.isFinite(value));
        }
    }

    /** Doubles below this that are whole thousandths are written by {@link #writeShortDecimal}, not {@code Double.toString}. */
    static final double SHORT_DECIMAL_LIMIT = 100_000;

    /**
     * Writes a double that is a whole number of thousandths below {@link #SHORT_DECIMAL_LIMIT} (or
     * zero) as {@code Double.toString} does, and returns whether it did.
     *
     * <p>Amounts, prices and rates are mostly such values, and {@code Double.toString} was a sixth
     * of a simple bean's conversion (a thread-local buffer, digit generation for any double). For
     * these values its text is known without it: at most three decimals identify the double, no
     * other decimal with as few identifies it (neighbouring doubles here are less than 2 × 10<sup>-8</sup>
     * thousandths apart), and {@code Double.toString} writes the fewest digits that identify a
     * double, in plain notation from 10<sup>-3</sup> to 10<sup>7</sup>, with at least one digit after
     * the point. {@code JsonLineBuilderTest} checks every such value against {@code
     * Double.toString}, since Java 17's implementation is not the specification's word for word.
     */
    boolean writeShortDecimal(double value) {
        double magnitude = Math.abs(value);
        if (!(magnitude < SHORT_DECIMAL_LIMIT)) {
            return false; // NaN too
        }
        long thousandths = Math.round(magnitude * 1000);
        // Both operands are exact, so the quotient is the double nearest thousandths / 1000: the
        // one that decimal stands for. A value with more digits (or below 10^-3, but zero) fails.
        if (thousandths / 1000.0 != magnitude) {
            return false;
        }
        ensure(24);
        byte[] b = buf;
        if (Double.doubleToRawLongBits(value) < 0) {
            b[len++] = '-';
        }
        int units = (int) (thousandths / 1000);
        int fraction = (int) (thousandths - units * 1000L);
        writeLong(units);
        b = buf;
        int at = len;
        b[at++] = '.';
        if (fraction == 0) {
            b[at++] = '0';
        } else {
            b[at++] = (byte) ('0' + fraction / 100);
            int rest = fraction % 100;
            if (rest != 0) {
                b[at++] = (byte) ('0' + rest / 10);
                if (rest % 10 != 0) {
                    b[at++] = (byte) ('0' + rest % 10);
                }
            }
        }
        len = at;
        return true;
    }

    /** As Jackson: the digits of {@code Float.toString}, and {@code NaN} and the infinities quoted. */
    void writeFloat(float value) {
        writeNumberText(Float.toString(value), Float.isFinite(value));
    }

    @SuppressWarnings("deprecation") // the one String method that copies ASCII into a byte[] as it is
    private void writeNumberText(String ascii, boolean finite) {
        int n = ascii.length();
        ensure(n + 2);
        if (!finite) {
            buf[len++] = '"';
        }
        ascii.getBytes(0, n, buf, len);
        len += n;
        if (!finite) {
            buf[len++] = '"';
        }
    }

    /** The string, quoted and escaped. */
    void writeString(String value) {
        int n = value.length();
        // Room for the usual case, a byte per character; the branches that write more make more.
        ensure(Math.addExact(n, 2));
        byte[] b = buf;
        int at = len;
        b[at++] = '"';
        for (int i = 0; i < n; i++) {
            char ch = value.charAt(i);
            if (ch < 0x80) {
                byte escape = ESCAPES[ch];
                if (escape == 0) {
                    b[at++] = (byte) ch;
                    continue;
                }
                b = room(at, n - i);
                b[at++] = '\\';
                if (escape > 0) {
                    b[at++] = escape;
                } else {
                    at = writeHexEscape(b, at, ch);
                }
            } else if (ch < 0x800) {
                b = room(at, n - i);
                b[at++] = (byte) (0xC0 | (ch >> 6));
                b[at++] = (byte) (0x80 | (ch & 0x3F));
            } else if (Character.isSurrogate(ch)) {
                // Jackson escapes each half of a pair, and a lone one, on its own.
                b = room(at, n - i);
                b[at++] = '\\';
                at = writeHexEscape(b, at, ch);
            } else {
                b = room(at, n - i);
                b[at++] = (byte) (0xE0 | (ch >> 12));
                b[at++] = (byte) (0x80 | ((ch >> 6) & 0x3F));
                b[at++] = (byte) (0x80 | (ch & 0x3F));
            }
        }
        b[at++] = '"';
        len = at;
    }

    /** {@code u} and four upper-case hex digits, after the backslash. */
    private static int writeHexEscape(byte[] b, int at, char ch) {
        b[at++] = 'u';
        b[at++] = HEX[(ch >> 12) & 0xF];
        b[at++] = HEX[(ch >> 8) & 0xF];
        b[at++] = HEX[(ch >> 4) & 0xF];
        b[at++] = HEX[ch & 0xF];
        return at;
    }

    /**
     * The buffer, with room at {@code at} for the character being written (six bytes at most)
     * and a byte for each of the {@code left - 1} after it and for the closing quote.
     */
    private byte[] room(int at, int left) {
        int needed = left + 6;
        if (buf.length - at < needed) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, Math.addExact(at, needed)));
        }
        return buf;
    }

    private void ensure(int more) {
        if (buf.length - len < more) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }

    /** Every ASCII character, the ends of the two- and three-byte UTF-8 ranges, surrogates. */
    private static final String PROBE_TEXT;
    private static final long[] PROBE_LONGS = {0, 7, -7, 10, 99, 1_000_000_007L, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MIN_VALUE};
    private static final double[] PROBE_DOUBLES = {
        0.0, -0.0, 0.1, 12.34, -0.05, 99_999.999, 1e7, 1.0e-5, 123456789.125, Double.MIN_VALUE, Double.MAX_VALUE,
        Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY
    };
    private static final float[] PROBE_FLOATS = {0f, 0.1f, 3.4e38f, 1.0e-5f, Float.NaN, Float.NEGATIVE_INFINITY};

    static {
        StringBuilder text = new StringBuilder();
        for (char c = 0; c < 0x80; c++) {
            text.append(c);
        }
        // Then a surrogate pair, and lone halves between other characters and at the end.
        PROBE_TEXT = text.append("\u0080\u00e9\u07ff\u0800\u20ac\ud7ff\ue000\uffff\ud83c\udf89x\ud800y\udfffz\udbff").toString();
    }

    /**
     * Whether {@code mapper}'s generator writes field names, strings, numbers, booleans and
     * {@code null} exactly as this class does, judged on a probe of every case this class
     * handles.
     */
    static boolean writesLikeGeneratorOf(ObjectMapper mapper) {
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (JsonGenerator generator = mapper.createGenerator(expected, JsonEncoding.UTF8)) {
            generator.writeStartObject();
            generator.writeFieldName("s");
            generator.writeString(PROBE_TEXT);
            generator.writeFieldName("b");
            generator.writeBoolean(true);
            generator.writeFieldName("f");
            generator.writeBoolean(false);
            generator.writeFieldName("n");
            generator.writeNull();
            for (long value : PROBE_LONGS) {
                generator.writeFieldName("l");
                generator.writeNumber(value);
            }
            for (double value : PROBE_DOUBLES) {
                generator.writeFieldName("d");
                generator.writeNumber(value);
            }
            for (float value : PROBE_FLOATS) {
                generator.writeFieldName("x");
                generator.writeNumber(value);
            }
            generator.writeEndObject();
        } catch (IOException | RuntimeException e) {
            return false;
        }
        JsonLineBuilder own = new JsonLineBuilder();
        own.writeBytes("{\"s\":".getBytes(StandardCharsets.US_ASCII));
        own.writeString(PROBE_TEXT);
        own.writeBytes(",\"b\":".getBytes(StandardCharsets.US_ASCII));
        own.writeBoolean(true);
        own.writeBytes(",\"f\":".getBytes(StandardCharsets.US_ASCII));
        own.writeBoolean(false);
        own.writeBytes(",\"n\":".getBytes(StandardCharsets.US_ASCII));
        own.writeNull();
        for (long value : PROBE_LONGS) {
            own.writeBytes(",\"l\":".getBytes(StandardCharsets.US_ASCII));
            own.writeLong(value);
        }
        for (double value : PROBE_DOUBLES) {
            own.writeBytes(",\"d\":".getBytes(StandardCharsets.US_ASCII));
            own.writeDouble(value);
        }
        for (float value : PROBE_FLOATS) {
            own.writeBytes(",\"x\":".getBytes(StandardCharsets.US_ASCII));
            own.writeFloat(value);
        }
        own.writeByte('}');
        return Arrays.equals(expected.toByteArray(), own.toLine());
    }
}

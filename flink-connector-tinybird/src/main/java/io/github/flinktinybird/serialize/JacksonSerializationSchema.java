package io.github.flinktinybird.serialize;

import org.apache.flink.api.common.serialization.SerializationSchema;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes elements as JSON with Jackson: POJOs (public fields or getters), Java records, {@code Map},
 * {@code JsonNode}. This is what the sink uses when no serialization schema is set.
 *
 * <p>{@code java.time} values are written as ISO-8601 strings (e.g. {@code
 * "2026-11-26T16:00:00Z"}), which Tinybird's {@code DateTime} and {@code DateTime64} columns parse.
 * The element must serialize to a JSON object; for {@code String} elements that hold JSON use
 * {@link JsonStringSerializationSchema} instead. Subclass and override {@link #createMapper()} to
 * configure the {@link ObjectMapper}.
 *
 * <p>Like Flink's own serialization schemas, an instance is not thread-safe: each sink subtask has
 * its own. It keeps one JSON generator, one Jackson serializer provider and the serializer of the
 * last element class for all elements, so that each element costs its line and little else. With
 * the mapper of this class itself (not a subclass's), a POJO or record whose properties are all
 * strings, numbers and booleans that Jackson writes with its standard serializers is written
 * directly, property by property, without Jackson's per-value machinery; an element whose getter
 * throws, or that holds a value of another type than its property's, goes to Jackson after all,
 * which then calls its getters a second time. Either way the bytes are exactly those of {@code
 * mapper.writeValueAsBytes(element)} (docs/performance.md), and what Jackson refuses is refused,
 * except that a line break written raw ({@code @JsonRawValue}, a custom serializer) is compacted
 * away or, if the text is not one JSON object, rejected.
 */
public class JacksonSerializationSchema<T> implements SerializationSchema<T> {
    private static final long serialVersionUID = 1L;
    private static final int MAX_DIRECT_WRITERS = 256;

    /**
     * True only where direct writing is compared with Jackson's (benchmarks, tests); false in any
     * instance serialized before the field existed.
     */
    private final boolean jacksonOnly;
    private transient ObjectMapper mapper;
    private transient LineOutput buffer;
    private transient JsonGenerator generator;
    /** Null when the mapper needs its own {@code writeValue} (see {@link ReusableSerializerProvider}). */
    private transient ReusableSerializerProvider provider;
    private transient Class<?> rootClass;
    private transient JsonSerializer<Object> rootSerializer;
    /**
     * Whether simple beans may be written directly: with this class's own mapper, and only if its
     * generator writes as {@link JsonLineBuilder} does.
     */
    private transient boolean directWriting;
    /** How the beans of {@link #rootClass} are written directly; null when Jackson writes them. */
    private transient DirectBeanWriter rootWriter;
    /** Per element class seen, its direct writer or null; bounded, for streams of endless classes. */
    private transient Map<Class<?>, DirectBeanWriter> directWriters;
    private transient JsonLineBuilder line;
    private transient boolean lastWrittenDirectly;

    public JacksonSerializationSchema() {
        this(false);
    }

    /** With {@code jacksonOnly}, Jackson's serializers write every element. */
    JacksonSerializationSchema(boolean jacksonOnly) {
        this.jacksonOnly = jacksonOnly;
    }

    @Override
    public void open(InitializationContext context) {
        setMapper(createMapper());
    }

    private void setMapper(ObjectMapper created) {
        mapper = created;
        if (getClass() == JacksonSerializationSchema.class) {
            // The mapper is ours (createMapper is not overridden): primitive fields without boxing.
            mapper.setSerializerFactory(mapper.getSerializerFactory().withSerializerModifier(new PrimitiveFieldWriter.Modifier()));
        }
        // CLOSE_CLOSEABLE makes writeValue close each Closeable element: leave that to Jackson.
        provider =
                mapper.isEnabled(SerializationFeature.CLOSE_CLOSEABLE)
                        ? null
                        : ReusableSerializerProvider.forMapper(mapper);
        directWriting =
                !jacksonOnly
                        && provider != null
                        && getClass() == JacksonSerializationSchema.class
                        && JsonLineBuilder.writesLikeGeneratorOf(mapper);
        rootClass = null;
        rootSerializer = null;
        rootWriter = null;
        directWriters = new HashMap<>();
    }

    /** The mapper used for every element; called once per subtask. */
    protected ObjectMapper createMapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.INDENT_OUTPUT);
    }

    @Override
    public byte[] serialize(T element) {
        if (element == null) {
            throw new IllegalArgumentException(
                    "the element is null; filter nulls out before the Tinybird sink");
        }
        if (element instanceof CharSequence) {
            throw new IllegalArgumentException(
                    "the element is a String, which Jackson would write as a JSON string, not an"
                            + " object; for Strings that hold JSON, set"
                            + " .setSerializationSchema(new JsonStringSerializationSchema())");
        }
        byte[] json;
        lastWrittenDirectly = false;
        try {
            JsonGenerator out = generator();
            if (provider != null) {
                prepare(element.getClass());
                if (rootWriter != null) {
                    json = rootWriter.write(element, line);
                    if (json != null) {
                        lastWrittenDirectly = true;
                        return json;
                    }
                }
                provider.startElement();
                provider.serializeValue(out, element, null, rootSerializer);
            } else {
                mapper.writeValue(out, element);
            }
            out.flush();
            json = buffer.take();
        } catch (IOException | RuntimeException e) {
            // The generator may be stopped inside the element: start afresh with the next one.
            generator = null;
            if (e instanceof RuntimeException) {
                throw (RuntimeException) e;
            }
            throw new IllegalArgumentException(
                    "Jackson could not serialize the "
                            + element.getClass().getName()
                            + " element: "
                            + (e instanceof JsonProcessingException ? ((JsonProcessingException) e).getOriginalMessage() : e.getMessage()),
                    e);
        }
        if (json.length == 0 || json[0] != '{') {
            throw new IllegalArgumentException(
                    "a "
                            + element.getClass().getName()
                            + " element serializes to a JSON value that is not an object;"
                            + " Tinybird takes one JSON object per event: send a POJO, record, Map"
                            + " or ObjectNode, or set a SerializationSchema");
        }
        // @JsonRawValue and custom serializers write raw text, and "1}\n{...}" in one would forge a
        // second row. A byte scan is cheap; only a line that has one pays for the full check
        // (which rejects it, or compacts it).
        return JsonLines.hasLineBreak(json) ? JsonLines.compactObject(json) : json;
    }

    /**
     * Looks up, once per element class rather than per element as {@code mapper.writeValue} does,
     * the root serializer and whether the class can be written directly.
     */
    private void prepare(Class<?> cls) throws IOException {
        if (cls == rootClass) {
            return;
        }
        rootClass = null;
        rootSerializer = provider.findTypedValueSerializer(cls, true, null);
        rootWriter = directWriting ? directWriterFor(cls) : null;
        if (rootWriter != null && line == null) {
            line = new JsonLineBuilder();
        }
        rootClass = cls;
    }

    /**
     * The direct writer of a class, or null, made once per class: a stream that alternates
     * between classes (a union of event types) would otherwise rebuild one at every switch.
     */
    private DirectBeanWriter directWriterFor(Class<?> cls) {
        if (directWriters.containsKey(cls)) {
            return directWriters.get(cls);
        }
        if (directWriters.size() >= MAX_DIRECT_WRITERS) {
            directWriters.clear();
        }
        DirectBeanWriter writer = DirectBeanWriter.of(rootSerializer, mapper.getSerializationConfig());
        directWriters.put(cls, writer);
        return writer;
    }

    /** Whether the last element serialized was written directly rather than by Jackson; for tests. */
    boolean lastWrittenDirectly() {
        return lastWrittenDirectly;
    }

    private JsonGenerator generator() throws IOException {
        if (mapper == null) {
            setMapper(createMapper());
        }
        if (generator == null) {
            if (buffer == null) {
                buffer = new LineOutput();
            }
            buffer.clear();
            // The mapper's own factory method, so that its serialization config shapes the generator.
            generator = mapper.createGenerator(buffer, JsonEncoding.UTF8);
            // No separator between root values: each element is a line of its own.
            generator.setRootValueSeparator(null);
        }
        return generator;
    }
}

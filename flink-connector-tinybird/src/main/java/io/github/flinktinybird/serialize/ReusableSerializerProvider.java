package io.github.flinktinybird.serialize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.CacheProvider;
import com.fasterxml.jackson.databind.ser.DefaultSerializerProvider;
import com.fasterxml.jackson.databind.ser.SerializerFactory;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * One Jackson serializer provider kept for every element of a subtask. {@link
 * ObjectMapper#writeValue} builds a new provider per value (about 90 bytes and a dozen field
 * copies), only to get fresh per-call state; {@link #startElement} resets exactly that state
 * instead: the object ids seen (so {@code @JsonIdentityInfo} writes the full object again in the
 * next element, as a new provider would) and the per-call attributes.
 *
 * <p>Used only for mappers whose provider is Jackson's own: a custom provider, or an {@code
 * ObjectMapper} subclass that may override how providers are made, keeps {@code writeValue}.
 */
final class ReusableSerializerProvider extends DefaultSerializerProvider {
    private static final long serialVersionUID = 1L;

    private ReusableSerializerProvider(
            SerializerProvider blueprint, SerializationConfig config, SerializerFactory factory) {
        super(blueprint, config, factory);
    }

    private ReusableSerializerProvider(ReusableSerializerProvider src, CacheProvider cacheProvider) {
        super(src, cacheProvider);
    }

    /**
     * A provider equivalent to what {@code mapper.writeValue} would make, or {@code null} when
     * the mapper may make its providers some other way.
     */
    static ReusableSerializerProvider forMapper(ObjectMapper mapper) {
        Class<?> mapperClass = mapper.getClass();
        boolean plainMapper = mapperClass == ObjectMapper.class || mapperClass == JsonMapper.class;
        if (!plainMapper || mapper.getSerializerProvider().getClass() != DefaultSerializerProvider.Impl.class) {
            return null;
        }
        return new ReusableSerializerProvider(
                mapper.getSerializerProvider(), mapper.getSerializationConfig(), mapper.getSerializerFactory());
    }

    /** Forgets what the previous element left behind; call before each element. */
    void startElement() {
        _seenObjectIds = null;
        _objectIdGenerators = null;
        _attributes = _config.getAttributes();
        _generator = null;
    }

    @Override
    public DefaultSerializerProvider createInstance(SerializationConfig config, SerializerFactory factory) {
        return new ReusableSerializerProvider(this, config, factory);
    }

    @Override
    public DefaultSerializerProvider withCaches(CacheProvider cacheProvider) {
        // Only a mapper's blueprint is asked for this, which a kept provider never is.
        return new ReusableSerializerProvider(this, cacheProvider);
    }
}

package io.github.flinktinybird.sink;

import java.io.Serializable;

/**
 * Chooses the Data Source of each element, for a stream that feeds several:
 * {@code .setDataSourceSelector(e -> "events_" + e.getType())}. A batch holding several Data Sources
 * is sent as one request per Data Source.
 *
 * @param <T> the element type
 */
@FunctionalInterface
public interface DataSourceSelector<T> extends Serializable {

    /** The Data Source name (letters, digits and underscores) for {@code element}. */
    String select(T element);
}

package io.github.flinktinybird.error;

import java.io.IOException;
import java.io.Serializable;

/**
 * Receives the records that the {@link ErrorPolicy#deadLetter(DeadLetterHandler) DEAD_LETTER}
 * policy takes out of the stream. One instance per sink subtask, created by Java serialization of
 * the configured one.
 *
 * <p>{@link #write(DeadLetter)} must not return before the letter is durable: once it returns, the
 * records count as handled and are no longer part of the sink's checkpointed state. If it throws,
 * the job fails and the records are replayed from the last checkpoint. On an object store that
 * means the object is committed (for most, closed) before {@code write} returns. Calls are never
 * concurrent, but may come from different threads: the sink calls the handler under a lock on it,
 * so {@link #close()} never runs during a write, and no write follows {@code close()}.
 */
public interface DeadLetterHandler extends Serializable {

    /** Called once, on the TaskManager, before the first letter. */
    default void open(int subtaskIndex, int attemptNumber) throws IOException {}

    /** Stores one letter durably. */
    void write(DeadLetter letter) throws IOException;

    /** Called when the sink closes. */
    default void close() throws IOException {}
}

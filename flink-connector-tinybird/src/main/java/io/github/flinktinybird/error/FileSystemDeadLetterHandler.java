package io.github.flinktinybird.error;

import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.util.Objects;
import java.util.UUID;

/**
 * Writes dead letters as NDJSON files through Flink's {@link FileSystem}: one file per letter (one
 * batch of records the error policy took out of the stream), named
 *
 * <pre>{@code <path>/tinybird-dead-letters-<subtask>-<attempt>-<writer>-<sequence>.ndjson}</pre>
 *
 * where {@code <writer>} is a random UUID drawn each time a subtask opens the handler and {@code
 * <sequence>} counts that writer's letters, so names never collide across subtasks, attempts,
 * restarts with the same attempt number, or JVMs. Each line is one record:
 *
 * <pre>{@code
 * {"data_source":"events","http_status":400,"reason":"...","failed_at":"2026-11-26T16:00:00Z","record":{...}}
 * }</pre>
 *
 * <p>{@code record} is the JSON object the sink would have sent ({@code null} when the element
 * could not be serialized), so a file can be replayed with {@code jq -c .record}.
 *
 * <p>{@link #write} creates the file, writes it, syncs it where the file system can, and closes it
 * before returning. Closing is what makes an object visible on object stores (Flink's S3 file
 * systems publish on close, and their {@code sync()} does nothing or throws), so a letter is
 * durable on any file system whose {@code close()} commits, before its records leave the sink's
 * state. A failure anywhere is thrown to the caller, which keeps the records and fails the job.
 */
public class FileSystemDeadLetterHandler implements DeadLetterHandler {
    private static final long serialVersionUID = 1L;
    static final String FILE_PREFIX = "tinybird-dead-letters-";

    private final String basePath;
    private transient int subtaskIndex;
    private transient int attemptNumber;
    private transient String writerId;
    private transient long sequence;
    private transient boolean closed;

    public FileSystemDeadLetterHandler(String basePath) {
        this.basePath = Objects.requireNonNull(basePath, "the dead-letter path must not be null");
        if (basePath.isBlank()) {
            throw new IllegalArgumentException(
                    "the dead-letter path must not be empty: set sink.error-policy.dead-letter-path"
                            + " to a directory URI such as file:///var/tmp/tinybird-dead-letters");
        }
    }

    public String getBasePath() {
        return basePath;
    }

    @Override
    public synchronized void open(int subtaskIndex, int attemptNumber) {
        this.subtaskIndex = subtaskIndex;
        this.attemptNumber = attemptNumber;
        this.writerId = newWriterId();
        this.sequence = 0;
        this.closed = false;
    }

    @Override
    public synchronized void write(DeadLetter letter) throws IOException {
        if (closed) {
            throw new IOException(
                    "the dead-letter handler for "
                            + basePath
                            + " is closed, so the letter was not written; its records stay in the"
                            + " sink's last checkpoint");
        }
        if (writerId == null) {
            // Used without open(): still a name no other writer takes.
            writerId = newWriterId();
        }
        byte[] content = DeadLetterFormat.ndjson(letter);
        // The sequence moves on even when this write fails, so a retry never meets a leftover.
        Path file = new Path(basePath, fileName(subtaskIndex, attemptNumber, writerId, sequence++));
        writeAndClose(file, content);
    }

    static String fileName(int subtaskIndex, int attemptNumber, String writerId, long sequence) {
        return FILE_PREFIX
                + subtaskIndex
                + "-"
                + attemptNumber
                + "-"
                + writerId
                + "-"
                + String.format("%06d", sequence)
                + ".ndjson";
    }

    private static String newWriterId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static void writeAndClose(Path file, byte[] content) throws IOException {
        FileSystem fs = file.getFileSystem();
        FSDataOutputStream out = fs.create(file, FileSystem.WriteMode.NO_OVERWRITE);
        boolean committed = false;
        try {
            out.write(content);
            out.flush();
            syncWherePossible(out);
            out.close();
            committed = true;
        } catch (IOException | RuntimeException e) {
            throw new IOException("could not write the dead-letter file " + file + ": " + e.getMessage(), e);
        } finally {
            if (!committed) {
                discard(fs, file, out);
            }
        }
    }

    /**
     * Local files and HDFS reach the disk here; object stores have nothing to sync (their {@code
     * sync()} is a no-op or, like Hadoop's S3A, throws), and there {@code close()} is the commit.
     */
    private static void syncWherePossible(FSDataOutputStream out) throws IOException {
        try {
            out.sync();
        } catch (UnsupportedOperationException objectStore) {
            // close() publishes the object whole, which is what makes it durable.
        }
    }

    /** A file that was not committed must not be left half-written next to the good ones. */
    private static void discard(FileSystem fs, Path file, FSDataOutputStream out) {
        try {
            out.close();
        } catch (IOException | RuntimeException ignored) {
            // Already failing; the write's exception is the one the caller needs.
        }
        try {
            fs.delete(file, false);
        } catch (IOException | RuntimeException ignored) {
            // Best effort: its records are replayed and written again under a new name.
        }
    }

    /**
     * Marks the handler closed; every letter written so far is already in its own closed file. A
     * write arriving later (an HTTP answer racing the sink's close) fails instead of opening a file
     * nobody would close.
     */
    @Override
    public synchronized void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "FileSystemDeadLetterHandler{" + basePath + '}';
    }
}

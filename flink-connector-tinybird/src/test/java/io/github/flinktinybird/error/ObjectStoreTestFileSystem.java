package io.github.flinktinybird.error;

import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.local.LocalFileSystem;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Flink file system for the scheme {@value #SCHEME} that behaves like an object store such as
 * Flink's S3 file systems: what a stream writes is published, whole, only when the stream is closed;
 * {@code flush()} does nothing; {@code sync()} does nothing or, like Hadoop's S3A, throws; an
 * object published under an existing name replaces it silently. Objects are kept as local files
 * under the path's own directory, so a test reads what a reader of the bucket would see with plain
 * {@code java.nio}.
 *
 * <p>Registered through {@code META-INF/services/org.apache.flink.core.fs.FileSystemFactory} in the
 * test resources. Flink caches one instance per scheme, so the knobs are static; {@link #reset()}
 * before each test.
 */
public final class ObjectStoreTestFileSystem extends LocalFileSystem {
    public static final String SCHEME = "objectstore-test";

    /** Whether {@code sync()} is ignored (Presto S3, S3A with downgraded syncable) or throws (S3A). */
    public enum SyncBehaviour {
        IGNORED,
        THROWS
    }

    private static volatile SyncBehaviour sync = SyncBehaviour.IGNORED;
    private static final AtomicInteger OPEN_STREAMS = new AtomicInteger();
    private static final AtomicBoolean FAIL_NEXT_CLOSE = new AtomicBoolean();
    private static volatile CountDownLatch writeEntered;
    private static volatile CountDownLatch writeGate;

    public static void reset() {
        sync = SyncBehaviour.IGNORED;
        OPEN_STREAMS.set(0);
        FAIL_NEXT_CLOSE.set(false);
        writeEntered = null;
        writeGate = null;
    }

    public static void syncBehaviour(SyncBehaviour behaviour) {
        sync = behaviour;
    }

    /** The next close fails, as an upload that the store refuses; nothing is published. */
    public static void failNextClose() {
        FAIL_NEXT_CLOSE.set(true);
    }

    /**
     * Holds the next writes until {@code gate} opens, counting down {@code entered} when one
     * arrives: lets a test act while a letter is half written.
     */
    public static void holdWrites(CountDownLatch entered, CountDownLatch gate) {
        writeEntered = entered;
        writeGate = gate;
    }

    /** Streams created and not closed yet. */
    public static int openStreams() {
        return OPEN_STREAMS.get();
    }

    /** The URI of a local directory on this file system. */
    public static String uri(java.nio.file.Path directory) {
        return SCHEME + "://" + directory.toAbsolutePath().toUri().getPath();
    }

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public boolean isDistributedFS() {
        return true;
    }

    @Override
    public FSDataOutputStream create(Path path, WriteMode overwrite) throws IOException {
        File target = new File(path.toUri().getPath());
        // S3A checks at create time only; the upload at close overwrites whatever is there then.
        if (overwrite == WriteMode.NO_OVERWRITE && target.exists()) {
            throw new IOException("object exists: " + path);
        }
        OPEN_STREAMS.incrementAndGet();
        return new PublishOnClose(target);
    }

    private static final class PublishOnClose extends FSDataOutputStream {
        private final File target;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private boolean closed;

        PublishOnClose(File target) {
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            CountDownLatch gate = writeGate;
            if (gate != null) {
                writeEntered.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
            if (closed) {
                throw new IOException("stream closed");
            }
            pending.write(b, off, len);
        }

        @Override
        public long getPos() {
            return pending.size();
        }

        @Override
        public void flush() {
            // Data stays in the client until close(), as on S3.
        }

        @Override
        public void sync() {
            if (sync == SyncBehaviour.THROWS) {
                throw new UnsupportedOperationException("S3A streams are not Syncable");
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            OPEN_STREAMS.decrementAndGet();
            if (FAIL_NEXT_CLOSE.getAndSet(false)) {
                throw new IOException("upload refused by the store");
            }
            Files.createDirectories(target.toPath().getParent());
            File staged = new File(target.getParentFile(), "." + target.getName() + ".upload");
            Files.write(staged.toPath(), pending.toByteArray());
            // Published whole or not at all, replacing any object of the same name.
            Files.move(staged.toPath(), target.toPath(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** The factory Flink finds through the service entry. */
    public static final class Factory implements FileSystemFactory {
        @Override
        public String getScheme() {
            return SCHEME;
        }

        @Override
        public FileSystem create(URI fsUri) {
            return new ObjectStoreTestFileSystem();
        }
    }
}

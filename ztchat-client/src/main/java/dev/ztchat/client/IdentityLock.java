package dev.ztchat.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps an identity's local state to one user at a time: an operating-system lock on the file
 * {@code lock} (0600, holding the owner's process id) in the state folder, held until {@link
 * #close}. Two processes sharing the state would each see the other's messages as replays and race
 * on the outbox; the second one is refused at once with {@link IdentityInUseException}.
 *
 * <p>The operating system releases the lock when the process ends, however it ends, so a crash
 * leaves nothing to clean up. Within one JVM the lock is tracked here as well: a second channel on
 * a locked file must never be opened and closed, because closing any descriptor of a file drops the
 * process's POSIX locks on it.
 */
final class IdentityLock implements AutoCloseable {
  static final String FILE_NAME = "lock";

  private static final Set<PosixFilePermission> OWNER_READ_WRITE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;
  private final AtomicBoolean closed = new AtomicBoolean();

  private IdentityLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of the state folder {@code dataDir} (which must exist) for {@code identity}, or
   * throws {@link IdentityInUseException} naming the process that holds it.
   */
  static IdentityLock acquire(Path dataDir, String identity) throws IOException {
    Path file = dataDir.toRealPath().resolve(FILE_NAME);
    if (!HELD_HERE.add(file)) {
      throw new IdentityInUseException(identity, OptionalLong.of(ProcessHandle.current().pid()));
    }
    FileChannel channel = null;
    try {
      if (Files.isSymbolicLink(file)) {
        throw new IOException(
            file
                + " is a symbolic link; remove it (ztchat refuses to follow links in its state"
                + " folder)");
      }
      channel =
          FileChannel.open(
              file,
              Set.of(
                  StandardOpenOption.CREATE,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE,
                  LinkOption.NOFOLLOW_LINKS),
              PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE));
      Files.setPosixFilePermissions(file, OWNER_READ_WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new IdentityInUseException(identity, readPid(channel));
      }
      channel.truncate(0);
      channel.write(
          ByteBuffer.wrap(
              (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
          0);
      channel.force(true);
      return new IdentityLock(file, channel, lock);
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      HELD_HERE.remove(file);
      throw e;
    }
  }

  private static OptionalLong readPid(FileChannel channel) {
    try {
      ByteBuffer b = ByteBuffer.allocate(32);
      channel.read(b, 0);
      String s = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).strip();
      return s.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(s));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** Releases the lock; closing again does nothing (and never touches a later holder's entry). */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // the lock goes with the process anyway
    } finally {
      HELD_HERE.remove(file);
    }
  }
}

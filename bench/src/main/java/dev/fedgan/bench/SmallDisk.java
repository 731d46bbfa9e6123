package dev.fedgan.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A file system of its own (a tmpfs of a fixed size) under a directory, so that the chaos suite can fill it up and
 * free it again: a full disk under S3. Mounting needs root; without it {@link #mounted()} is false and the directory
 * is an ordinary one. Closing unmounts it (its contents go with it).
 */
final class SmallDisk implements AutoCloseable {

    private final Path dir;
    private final boolean mounted;
    private final Path filler;

    private SmallDisk(Path dir, boolean mounted) {
        this.dir = dir;
        this.mounted = mounted;
        this.filler = dir.resolve(".filler").resolve("fill");
    }

    /** A tmpfs of {@code bytes} mounted at {@code dir} (made if missing), or {@code dir} as it is if that fails. */
    static SmallDisk mount(Path dir, long bytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        boolean ok = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", dir.toString()));
        return new SmallDisk(dir, ok);
    }

    boolean mounted() {
        return mounted;
    }

    /** Writes zeros until the file system is full (ENOSPC). */
    void fill() throws IOException {
        Files.createDirectories(filler.getParent());
        ByteBuffer zeros = ByteBuffer.allocateDirect(8 << 20);
        long written = 0;
        try (FileChannel c = FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            while (true) {
                zeros.clear();
                written += c.write(zeros);
            }
        } catch (IOException full) {
            if (Files.getFileStore(dir).getUsableSpace() > (8 << 20)) {
                throw full; // not the space running out
            }
        }
        System.out.printf("  S3's disk full: %d MB of filler, %d bytes free%n", written >> 20,
                Files.getFileStore(dir).getUsableSpace());
    }

    /** Deletes what {@link #fill} wrote. */
    void free() throws IOException {
        Files.deleteIfExists(filler);
        Files.deleteIfExists(filler.getParent());
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (mounted) {
            run(List.of("umount", "-l", dir.toString()));
        }
    }

    private static boolean run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            System.out.println("  " + String.join(" ", cmd) + ": " + out.strip());
            return false;
        }
        return true;
    }
}

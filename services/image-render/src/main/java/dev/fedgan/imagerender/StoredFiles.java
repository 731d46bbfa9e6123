package dev.fedgan.imagerender;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fedgan.core.io.FileTrees;
import dev.fedgan.core.io.Json;
import dev.fedgan.core.render.ImageGrid;
import dev.fedgan.modelstore.ExperimentLayout;
import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.objectstore.StorageException;
import dev.fedgan.protocol.ObjectRef;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.jboss.logging.Logger;

/**
 * An experiment's output files in the object store, {@code experiments/<id>/files/<relative path>}, read and
 * written with the paths of {@code fedgan debug --out}. Core code that writes to a directory (PNGs, the report)
 * writes into a temporary one here and the result is stored, so the stored bytes are the core's.
 */
final class StoredFiles {

    private static final Logger LOG = Logger.getLogger(StoredFiles.class);
    /** Files written by other services may carry fields this one does not know: they are ignored, not fatal. */
    static final ObjectMapper READER = Json.MAPPER.copy()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final ModelStore models;
    private final ObjectStore objects;

    StoredFiles(ModelStore models, ObjectStore objects) {
        this.models = models;
        this.objects = objects;
    }

    ObjectRef put(String id, String relative, byte[] bytes) {
        return models.putFile(id, relative, bytes);
    }

    ObjectRef put(String id, String relative, Path file) {
        return models.putFile(id, relative, file);
    }

    /** Stores a picture as {@link ImageGrid#writePng} writes it. */
    ObjectRef putPng(String id, String relative, BufferedImage img) {
        ObjectRef[] ref = new ObjectRef[1];
        withTemp(dir -> {
            Path f = dir.resolve("grid.png");
            ImageGrid.writePng(img, f);
            ref[0] = put(id, relative, f);
        });
        return ref[0];
    }

    boolean exists(String id, String relative) {
        return objects.exists(ExperimentLayout.file(id, relative));
    }

    /** The reference to a stored file, as its writer returned it. */
    ObjectRef ref(String id, String relative) {
        return ObjectStore.ref(objects.bucket(), objects.stat(ExperimentLayout.file(id, relative)));
    }

    /** A stored picture; one that is missing or not a PNG throws, the file being one this service needs. */
    BufferedImage readImage(String id, String relative) {
        String k = ExperimentLayout.file(id, relative);
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(objects.get(k)));
            if (img == null) {
                throw new StorageException(StorageException.Reason.INVALID, k, objects.uri(k) + ": not a PNG");
            }
            return img;
        } catch (IOException e) {
            throw new StorageException(StorageException.Reason.INVALID, k, objects.uri(k) + ": " + e.getMessage(), e);
        }
    }

    /**
     * A stored JSON file of another service, null if missing or unreadable: such files only add to the report, so
     * the report is written without them rather than not at all.
     */
    <T> T readJson(String id, String relative, Class<T> type) {
        String k = ExperimentLayout.file(id, relative);
        try {
            if (!objects.exists(k)) {
                return null;
            }
            return READER.readValue(objects.get(k), type);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("experiment=%s: %s unreadable (%s); left out of the report", id, objects.uri(k), e.getMessage());
            return null;
        }
    }

    /** Work that writes files into a directory. */
    interface IoBody {
        void run(Path dir) throws IOException;
    }

    /** Runs {@code body} in a temporary directory, deleted afterwards whatever happens. */
    static void withTemp(IoBody body) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("fedgan-render");
            body.run(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        } finally {
            FileTrees.deleteQuietly(dir);
        }
    }
}

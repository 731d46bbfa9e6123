package dev.fedgan.core.data;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link ColourImages} as bytes, for one client's images stored apart (the services keep each RGB client's images as
 * an object of their own, as a phone keeps its own): magic {@code FGCI}, version 1, name, fingerprint, side, count,
 * the pixels as big-endian floats, each image's file and client, the attribute names, the attributes and the
 * partition when present. Reading checks every length and value range and names what is wrong and where.
 */
public final class ColourImageFile {

    private static final int MAGIC = 0x46474349; // "FGCI"
    private static final int VERSION = 1;
    /** More images than this in one object is not a client's share. */
    private static final int MAX_IMAGES = 1_000_000;

    private ColourImageFile() {
    }

    public static byte[] write(ColourImages images) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeUTF(images.name());
            out.writeUTF(images.fingerprint());
            out.writeInt(images.side());
            out.writeInt(images.size());
            ByteBuffer px = ByteBuffer.allocate(images.pixels().length * Float.BYTES);
            px.asFloatBuffer().put(images.pixels());
            out.write(px.array());
            for (int i = 0; i < images.size(); i++) {
                out.writeUTF(images.files()[i]);
                out.writeUTF(images.clients()[i]);
            }
            out.writeInt(images.attributeNames().size());
            for (String a : images.attributeNames()) {
                out.writeUTF(a);
            }
            out.writeBoolean(images.attributes() != null);
            if (images.attributes() != null) {
                for (byte[] row : images.attributes()) {
                    out.write(row);
                }
            }
            out.writeBoolean(images.split() != null);
            if (images.split() != null) {
                out.write(images.split());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * @param where what the bytes are (an object key, a file), for the error
     * @throws IllegalArgumentException naming {@code where} and what is wrong: not this format, cut short, a count
     *                                  or side out of range, a pixel outside [-1, 1] or not finite, bytes after the end
     */
    public static ColourImages read(byte[] bytes, String where) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (bytes.length < 8 || in.readInt() != MAGIC) {
                throw new IllegalArgumentException(where + ": not a fedgan colour image file");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IllegalArgumentException(where + ": colour image file version " + version + ", this build "
                        + "reads " + VERSION);
            }
            String name = in.readUTF();
            String fingerprint = in.readUTF();
            int side = in.readInt();
            int n = in.readInt();
            if (side < 1 || side > 4096 || n < 0 || n > MAX_IMAGES
                    || (long) n * ColourImages.values(side) * Float.BYTES > bytes.length) {
                throw new IllegalArgumentException(where + ": " + n + " images of side " + side + " do not fit in "
                        + bytes.length + " bytes");
            }
            float[] pixels = new float[n * ColourImages.values(side)];
            byte[] raw = new byte[pixels.length * Float.BYTES];
            in.readFully(raw);
            ByteBuffer.wrap(raw).asFloatBuffer().get(pixels);
            for (int i = 0; i < pixels.length; i++) {
                if (!(pixels[i] >= -1 && pixels[i] <= 1)) {
                    throw new IllegalArgumentException(where + ": value " + pixels[i] + " of image "
                            + i / ColourImages.values(side) + " is not in [-1, 1]");
                }
            }
            String[] files = new String[n];
            String[] clients = new String[n];
            for (int i = 0; i < n; i++) {
                files[i] = in.readUTF();
                clients[i] = in.readUTF();
            }
            int names = in.readInt();
            if (names < 0 || names > 10_000) {
                throw new IllegalArgumentException(where + ": " + names + " attribute names");
            }
            List<String> attributeNames = new ArrayList<>();
            for (int a = 0; a < names; a++) {
                attributeNames.add(in.readUTF());
            }
            byte[][] attributes = null;
            if (in.readBoolean()) {
                attributes = new byte[n][names];
                for (byte[] row : attributes) {
                    in.readFully(row);
                }
            }
            byte[] split = null;
            if (in.readBoolean()) {
                split = new byte[n];
                in.readFully(split);
            }
            if (in.read() != -1) {
                throw new IllegalArgumentException(where + ": bytes after the end of a colour image file");
            }
            return new ColourImages(name, fingerprint, side, pixels, files, clients, attributeNames, attributes, split);
        } catch (EOFException e) {
            throw new IllegalArgumentException(where + ": a colour image file cut short (" + bytes.length + " bytes)",
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

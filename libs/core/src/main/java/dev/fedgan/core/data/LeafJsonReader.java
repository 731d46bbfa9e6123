package dev.fedgan.core.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads LEAF FEMNIST JSON (reference section 8): an object with {@code users}, {@code num_samples} and
 * {@code user_data: {writer: {x: [[784 floats in [0,1]]], y: [labels]}}}, 1.0 = background. Accepts one file
 * or a directory of {@code all_data_K.json} files. Streams the JSON, so large files do not need a tree in memory.
 */
public final class LeafJsonReader {

    private static final JsonFactory JSON = new JsonFactory();

    private LeafJsonReader() {
    }

    public static FederatedDataset read(Path path) {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> s = Files.list(path)) {
                s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new DatasetException(path.toString(), null, "cannot list directory: " + e.getMessage(), e);
            }
            if (files.isEmpty()) {
                throw new DatasetException(path.toString(), null, "directory has no .json files");
            }
        } else {
            files.add(path);
        }
        DatasetAssembler out = new DatasetAssembler(path.toString(), PixelConvention.INK_ON_WHITE);
        for (Path f : files) {
            readFile(f, out);
        }
        return out.build(path.getFileName().toString(), DatasetFormat.LEAF_JSON);
    }

    private static void readFile(Path file, DatasetAssembler out) {
        String src = file.toString();
        List<String> users = null;
        List<Long> numSamples = null;
        Map<String, Integer> sizes = new LinkedHashMap<>();
        String writer = null;
        try (JsonParser p = JSON.createParser(file.toFile())) {
            expect(p, p.nextToken(), JsonToken.START_OBJECT, src, null, "top level");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "users" -> {
                        users = new ArrayList<>();
                        expect(p, p.currentToken(), JsonToken.START_ARRAY, src, null, "users");
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            users.add(p.getValueAsString());
                        }
                    }
                    case "num_samples" -> {
                        numSamples = new ArrayList<>();
                        expect(p, p.currentToken(), JsonToken.START_ARRAY, src, null, "num_samples");
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            numSamples.add(p.getLongValue());
                        }
                    }
                    case "user_data" -> {
                        expect(p, p.currentToken(), JsonToken.START_OBJECT, src, null, "user_data");
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            writer = p.currentName();
                            p.nextToken();
                            int n = readWriter(p, src, writer, out);
                            sizes.put(writer, n);
                        }
                        writer = null;
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (JsonParseException e) {
            throw new DatasetException(src, writer, "malformed or truncated JSON at line "
                    + e.getLocation().getLineNr() + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new DatasetException(src, writer, "cannot read: " + e.getMessage(), e);
        }
        if (users == null || numSamples == null || sizes.isEmpty()) {
            throw new DatasetException(src, null, "missing " + (users == null ? "'users'" : numSamples == null
                    ? "'num_samples'" : "'user_data'") + "; not a LEAF FEMNIST file");
        }
        if (users.size() != numSamples.size()) {
            throw new DatasetException(src, null, users.size() + " users but " + numSamples.size() + " num_samples entries");
        }
        if (!new java.util.HashSet<>(users).equals(sizes.keySet()) || users.size() != sizes.size()) {
            throw new DatasetException(src, null, "'users' and the keys of 'user_data' differ");
        }
        for (int i = 0; i < users.size(); i++) {
            if (sizes.get(users.get(i)) != numSamples.get(i).intValue()) {
                throw new DatasetException(src, users.get(i), "num_samples says " + numSamples.get(i) + " but user_data has "
                        + sizes.get(users.get(i)) + " examples");
            }
        }
    }

    private static int readWriter(JsonParser p, String src, String writer, DatasetAssembler out) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_OBJECT, src, writer, "user_data entry");
        List<float[]> xs = null;
        long[] ys = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            if (f.equals("x")) {
                xs = new ArrayList<>();
                expect(p, p.currentToken(), JsonToken.START_ARRAY, src, writer, "x");
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    expect(p, p.currentToken(), JsonToken.START_ARRAY, src, writer, "x[" + xs.size() + "]");
                    float[] img = new float[WriterData.PIXELS];
                    int k = 0;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        if (!p.currentToken().isNumeric()) {
                            throw new DatasetException(src, writer, "x[" + xs.size() + "][" + k + "] is "
                                    + p.getText() + ", expected a number");
                        }
                        if (k < img.length) {
                            img[k] = p.getFloatValue();
                        }
                        k++;
                    }
                    if (k != WriterData.PIXELS) {
                        throw new DatasetException(src, writer, "x[" + xs.size() + "] has " + k
                                + " values, expected 784 (28x28)");
                    }
                    xs.add(img);
                }
            } else if (f.equals("y")) {
                List<Long> y = new ArrayList<>();
                expect(p, p.currentToken(), JsonToken.START_ARRAY, src, writer, "y");
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    double v = p.getValueAsDouble(Double.NaN);
                    if (!p.currentToken().isNumeric() || v != Math.rint(v)) {
                        throw new DatasetException(src, writer, "y[" + y.size() + "] is " + p.getText()
                                + ", expected an integer label");
                    }
                    y.add((long) v);
                }
                ys = y.stream().mapToLong(Long::longValue).toArray();
            } else {
                p.skipChildren();
            }
        }
        if (xs == null || ys == null) {
            throw new DatasetException(src, writer, "missing '" + (xs == null ? "x" : "y") + "'");
        }
        if (xs.size() != ys.length) {
            throw new DatasetException(src, writer, xs.size() + " images in x but " + ys.length + " labels in y");
        }
        float[] flat = new float[xs.size() * WriterData.PIXELS];
        for (int i = 0; i < xs.size(); i++) {
            System.arraycopy(xs.get(i), 0, flat, i * WriterData.PIXELS, WriterData.PIXELS);
        }
        out.add(src, writer, flat, ys);
        return ys.length;
    }

    private static void expect(JsonParser p, JsonToken got, JsonToken want, String src, String writer, String what) {
        if (got != want) {
            throw new DatasetException(src, writer, what + ": expected " + want.asString() + " but found "
                    + (got == null ? "end of file" : got) + " at line " + p.currentLocation().getLineNr());
        }
    }
}

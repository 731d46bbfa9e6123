package dev.fedgan.core.data;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads TFF Federated EMNIST HDF5 files (reference section 8): top-level group {@code examples}, one subgroup
 * per writer holding {@code pixels} (float32, n x 28 x 28, 1.0 = background) and {@code label} (integers, n).
 * Writers are read in sorted id order, as TFF does.
 */
public final class TffHdf5Reader {

    private TffHdf5Reader() {
    }

    public static FederatedDataset read(Path path) {
        String src = path.toString();
        DatasetAssembler out = new DatasetAssembler(src, PixelConvention.INK_ON_WHITE);
        String current = null;
        try (HdfFile file = new HdfFile(path)) {
            Node examples = file.getChildren().get("examples");
            if (!(examples instanceof Group group)) {
                throw new DatasetException(src, null, "no top-level group 'examples' (found "
                        + file.getChildren().keySet() + "); not a TFF Federated EMNIST file");
            }
            Map<String, Node> writers = new TreeMap<>(group.getChildren());
            for (Map.Entry<String, Node> e : writers.entrySet()) {
                current = e.getKey();
                if (!(e.getValue() instanceof Group w)) {
                    throw new DatasetException(src, current, "is not a group");
                }
                Dataset px = dataset(src, current, w, "pixels");
                Dataset lb = dataset(src, current, w, "label");
                int[] pd = px.getDimensions();
                int[] ld = lb.getDimensions();
                if (pd.length != 3 || pd[1] != WriterData.SIDE || pd[2] != WriterData.SIDE) {
                    throw new DatasetException(src, current, "pixels have shape " + Arrays.toString(pd)
                            + ", expected [n, 28, 28]");
                }
                if (ld.length != 1 || ld[0] != pd[0]) {
                    throw new DatasetException(src, current, "label has shape " + Arrays.toString(ld)
                            + ", expected [" + pd[0] + "] to match pixels");
                }
                out.add(src, current, floats(src, current, px), longs(src, current, lb));
            }
        } catch (DatasetException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DatasetException(src, current, "corrupt or truncated HDF5 file: " + e, e);
        }
        return out.build(path.getFileName().toString(), DatasetFormat.TFF_HDF5);
    }

    private static Dataset dataset(String src, String writer, Group g, String name) {
        Node n = g.getChildren().get(name);
        if (!(n instanceof Dataset d)) {
            throw new DatasetException(src, writer, "missing dataset '" + name + "' (found " + g.getChildren().keySet() + ")");
        }
        return d;
    }

    private static float[] floats(String src, String writer, Dataset d) {
        Object flat = d.getDataFlat();
        if (flat instanceof float[] f) {
            return f;
        }
        if (flat instanceof double[] dd) {
            float[] f = new float[dd.length];
            for (int i = 0; i < dd.length; i++) {
                f[i] = (float) dd[i];
            }
            return f;
        }
        throw new DatasetException(src, writer, "pixels have type " + d.getJavaType().getSimpleName()
                + ", expected float32");
    }

    private static long[] longs(String src, String writer, Dataset d) {
        Object flat = d.getDataFlat();
        if (flat instanceof int[] a) {
            return Arrays.stream(a).asLongStream().toArray();
        }
        if (flat instanceof long[] a) {
            return a;
        }
        if (flat instanceof short[] a) {
            long[] r = new long[a.length];
            for (int i = 0; i < a.length; i++) {
                r[i] = a[i];
            }
            return r;
        }
        if (flat instanceof byte[] a) {
            long[] r = new long[a.length];
            for (int i = 0; i < a.length; i++) {
                r[i] = a[i];
            }
            return r;
        }
        throw new DatasetException(src, writer, "label has type " + d.getJavaType().getSimpleName()
                + ", expected an integer type (int32)");
    }
}

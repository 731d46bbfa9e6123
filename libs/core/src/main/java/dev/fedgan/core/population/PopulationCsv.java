package dev.fedgan.core.population;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference repository's population CSVs, byte for byte as Python's {@code csv.writer} writes them (no
 * header, {@code \r\n} line ends, fields quoted only when needed), so files from either side load on the other:
 * <ul>
 *   <li>inversion map {@code client_ids.csv}: {@code client_id,True|False}</li>
 *   <li>index map {@code example_indices_map.csv}: {@code client_id,"[i0, i1, ...]"} (a Python list string)</li>
 * </ul>
 * Reading accepts {@code \n} line ends too and rejects anything else with file and line.
 */
public final class PopulationCsv {

    private PopulationCsv() {
    }

    public static void writeInversionMap(Path file, Map<String, Boolean> inversion) {
        StringBuilder sb = new StringBuilder();
        inversion.forEach((id, inv) -> sb.append(field(id)).append(',').append(inv ? "True" : "False").append("\r\n"));
        write(file, sb);
    }

    public static void writeIndexMap(Path file, Map<String, int[]> indices) {
        StringBuilder sb = new StringBuilder();
        indices.forEach((id, idx) -> {
            StringBuilder list = new StringBuilder("[");
            for (int i = 0; i < idx.length; i++) {
                list.append(i == 0 ? "" : ", ").append(idx[i]);
            }
            sb.append(field(id)).append(',').append(field(list.append(']').toString())).append("\r\n");
        });
        write(file, sb);
    }

    public static Map<String, Boolean> readInversionMap(Path file) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        List<List<String>> rows = rows(file);
        for (int r = 0; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            String where = file + ":" + (r + 1);
            if (row.size() != 2) {
                throw new IllegalArgumentException(where + ": expected 'client_id,True|False', found " + row.size() + " fields");
            }
            String v = row.get(1);
            if (!v.equals("True") && !v.equals("False")) {
                throw new IllegalArgumentException(where + ": inversion flag is '" + v + "', expected True or False");
            }
            if (out.put(row.get(0), v.equals("True")) != null) {
                throw new IllegalArgumentException(where + ": duplicate client id " + row.get(0));
            }
        }
        return out;
    }

    public static Map<String, int[]> readIndexMap(Path file) {
        Map<String, int[]> out = new LinkedHashMap<>();
        List<List<String>> rows = rows(file);
        for (int r = 0; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            String where = file + ":" + (r + 1);
            if (row.size() != 2) {
                throw new IllegalArgumentException(where + ": expected 'client_id,\"[i0, i1, ...]\"', found " + row.size() + " fields");
            }
            String list = row.get(1).strip();
            if (!list.startsWith("[") || !list.endsWith("]")) {
                throw new IllegalArgumentException(where + ": index list '" + list + "' is not of the form [i0, i1, ...]");
            }
            String body = list.substring(1, list.length() - 1).strip();
            int[] idx;
            try {
                idx = body.isEmpty() ? new int[0] : Arrays.stream(body.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": index list '" + list + "' has a non-integer entry", e);
            }
            for (int i : idx) {
                if (i < 0) {
                    throw new IllegalArgumentException(where + ": negative example index " + i);
                }
            }
            if (out.put(row.get(0), idx) != null) {
                throw new IllegalArgumentException(where + ": duplicate client id " + row.get(0));
            }
        }
        return out;
    }

    /** Quotes a field the way Python's csv module does with QUOTE_MINIMAL. */
    static String field(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** Parses RFC 4180-style CSV (quotes, doubled quotes, CRLF or LF); blank lines are skipped. */
    public static List<List<String>> rows(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        }
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        int line = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    line += c == '\n' ? 1 : 0;
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                any = true;
            } else if (c == ',') {
                row.add(cur.toString());
                cur.setLength(0);
                any = true;
            } else if (c == '\r' || c == '\n') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                if (any || cur.length() > 0) {
                    row.add(cur.toString());
                    rows.add(row);
                }
                row = new ArrayList<>();
                cur.setLength(0);
                any = false;
                line++;
            } else {
                cur.append(c);
                any = true;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException(file + ":" + line + ": unterminated quoted field");
        }
        if (any || cur.length() > 0) {
            row.add(cur.toString());
            rows.add(row);
        }
        return rows;
    }

    private static void write(Path file, CharSequence text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write: " + e.getMessage(), e);
        }
    }
}

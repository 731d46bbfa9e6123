package dev.fedgan.bench;

import dev.fedgan.objectstore.ObjectStore;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.util.Locale;
import java.util.Random;

/**
 * A 26 MB object (a reference-size delta) into a running S3 server, ten times each way: {@code ObjectStore.put} (one
 * PUT), the MinIO client's multipart upload in 5 MiB parts (for comparison), and {@code ObjectStore.get} with its
 * checksum check. Run against the dev stack:
 * {@code java -jar tools/devstack/target/fedgan-devstack.jar &} then
 * {@code bench/run.sh --main dev.fedgan.bench.ObjectStoreProbe [endpoint access-key secret-key [server-pid]]}. With
 * the S3 server's process id (a JVM on this machine, e.g. the dev stack's), it also prints the server's CPU seconds
 * per request, as the OS counts them.
 */
public final class ObjectStoreProbe {

    /** The process's CPU seconds so far (0 without a process). */
    private static double cpuSeconds(ProcessHandle p) {
        return p == null ? 0 : p.info().totalCpuDuration().orElseThrow().toNanos() / 1e9;
    }

    public static void main(String[] args) throws Exception {
        String endpoint = args.length > 0 ? args[0] : "http://127.0.0.1:19000";
        String accessKey = args.length > 1 ? args[1] : "fedgan";
        String secretKey = args.length > 2 ? args[2] : "fedgan-dev-secret";
        ProcessHandle server = args.length > 3 ? ProcessHandle.of(Long.parseLong(args[3])).orElseThrow(
                () -> new IllegalArgumentException("no process " + args[3])) : null;
        byte[] bytes = new byte[26_000_000];
        new Random(1).nextBytes(bytes);
        try (ObjectStore store = ObjectStore.connect(endpoint, accessKey, secretKey, "probe");
             MinioClient minio = MinioClient.builder().endpoint(endpoint).credentials(accessKey, secretKey)
                     .region(ObjectStore.REGION).build()) {
            for (int rep = 0; rep < 3; rep++) {
                double c0 = cpuSeconds(server);
                long t0 = System.nanoTime();
                for (int i = 0; i < 10; i++) {
                    bytes[0] = (byte) i;
                    store.put("probe/one-put/" + rep + "-" + i, bytes, null);
                }
                long t1 = System.nanoTime();
                double c1 = cpuSeconds(server);
                for (int i = 0; i < 10; i++) {
                    bytes[0] = (byte) i;
                    minio.putObject(PutObjectArgs.builder().bucket("probe").object("probe/multipart/" + rep + "-" + i)
                            .stream(new ByteArrayInputStream(bytes), bytes.length, 5L << 20).build());
                }
                long t2 = System.nanoTime();
                double c2 = cpuSeconds(server);
                for (int i = 0; i < 10; i++) {
                    store.get("probe/one-put/" + rep + "-" + i);
                }
                long t3 = System.nanoTime();
                double c3 = cpuSeconds(server);
                System.out.printf(Locale.ROOT, "per 26 MB object: one PUT %.3f s, multipart (5 MiB parts) %.3f s,"
                        + " get + checksum %.3f s%n", (t1 - t0) / 1e10, (t2 - t1) / 1e10, (t3 - t2) / 1e10);
                if (server != null) {
                    System.out.printf(Locale.ROOT, "  S3 server CPU per object: one PUT %.3f s, get %.3f s%n",
                            (c1 - c0) / 10, (c3 - c2) / 10);
                }
            }
        }
    }
}

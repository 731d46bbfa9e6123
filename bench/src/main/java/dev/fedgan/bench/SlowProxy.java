package dev.fedgan.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP proxy on 127.0.0.1 that can be made slow: every chunk it forwards, either way, waits {@link #delayMillis}
 * first. The chaos suite puts it between the services and S3 to play an object store that answers slowly.
 */
final class SlowProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int target;
    private volatile long delayMillis;

    /** Listens on {@code port} and forwards to {@code target}, both on 127.0.0.1. */
    SlowProxy(int port, int target) throws IOException {
        this.server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        this.target = target;
        Thread accept = new Thread(this::accept, "slow-proxy-" + port);
        accept.setDaemon(true);
        accept.start();
    }

    /** How long each forwarded chunk waits from now on; 0 forwards at once. */
    void delay(long millis) {
        delayMillis = millis;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream;
                try {
                    upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                } catch (IOException e) {
                    client.close(); // the store is down: the client sees the connection closed, as it would
                    continue;
                }
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    long d = delayMillis;
                    if (d > 0) {
                        Thread.sleep(d);
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // either side closed
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }, "slow-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

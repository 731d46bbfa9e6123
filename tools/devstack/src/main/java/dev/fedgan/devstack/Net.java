package dev.fedgan.devstack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.Arrays;

/** Loopback port helpers. */
final class Net {

    private Net() {
    }

    static InetAddress loopback() {
        try {
            return InetAddress.getByName(EmbeddedKafka.HOST);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("127.0.0.1 does not resolve", e);
        }
    }

    /** Checks a port number; 0 means "pick a free one". */
    static int checkPort(String what, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(what + " must be in 0..65535 (0 = a free port), got " + port);
        }
        return port;
    }

    /**
     * A port free on 127.0.0.1 now, other than those given. Another process may take it before it is bound again;
     * the servers here bind it within milliseconds.
     */
    static int freePort(int... except) {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, loopback())) {
                int port = socket.getLocalPort();
                if (Arrays.stream(except).noneMatch(p -> p == port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new IllegalStateException("could not find a free port on 127.0.0.1: " + e.getMessage(), e);
            }
        }
        throw new IllegalStateException("could not find a free port on 127.0.0.1 other than " + Arrays.toString(except));
    }

    /** Throws a clear error if the port cannot be bound on 127.0.0.1. */
    static void checkFree(String what, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(loopback(), port), 1);
        } catch (IOException e) {
            throw new IllegalStateException(what + " port " + port + " on 127.0.0.1 is in use ("
                    + e.getMessage() + "): is another dev stack running? Choose other ports.", e);
        }
    }
}

package org.mailgateway.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {

    /** Two services of one stack were once given the same HTTP port, and the second one's readiness probe hit the first. */
    @Test
    void portsAreNeverHandedOutTwiceAndLieBelowTheEphemeralRange() throws IOException {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            int port = Ports.free();
            assertTrue(port >= 20000 && port < 32768, port + " is in the kernel's ephemeral range");
            ports.add(port);
            try (ServerSocket bound = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertEquals(port, bound.getLocalPort());
            }
        }
        assertEquals(500, ports.size(), "a port was handed out twice");
    }
}

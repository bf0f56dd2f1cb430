package org.mailgateway.ingress.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProxyHeaderTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "PROXY TCP4 203.0.113.9 192.0.2.1 40000 25\\r\\n      | 203.0.113.9",
        "PROXY TCP6 2001:db8::9 2001:db8::1 40000 25\\r\\n     | 2001:db8:0:0:0:0:0:9",
    })
    void version1(String header, String client) {
        String wire = header.replace("\\r\\n", "\r\n") + "EHLO x\r\n";
        ProxyHeader.Parsed parsed = assertInstanceOf(ProxyHeader.Parsed.class, ProxyHeader.parse(latin1(wire)));

        assertEquals(client, parsed.client().getHostAddress());
        assertEquals(header.replace("\\r\\n", "\r\n").length(), parsed.length());
    }

    @Test
    void version1UnknownMeansThePeerIsTheClient() {
        ProxyHeader.Parsed parsed = assertInstanceOf(ProxyHeader.Parsed.class, ProxyHeader.parse(latin1("PROXY UNKNOWN\r\n")));

        assertNull(parsed.client());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "EHLO client.example\\r\\n",
        "PROXY TCP4 203.0.113.9 192.0.2.1 40000\\r\\n",
        "PROXY TCP4 2001:db8::9 192.0.2.1 40000 25\\r\\n",
        "PROXY TCP4 203.0.113.9 192.0.2.1 40000 65536\\r\\n",
        "PROXY TCP4 203.0.113.9 192.0.2.1 40000 25\\n",
        "PROXY TCP5 203.0.113.9 192.0.2.1 40000 25\\r\\n",
        "PROXY TCP4 mail.example 192.0.2.1 40000 25\\r\\n",
    })
    void malformedVersion1(String wire) {
        assertInstanceOf(ProxyHeader.Invalid.class, ProxyHeader.parse(latin1(wire.replace("\\r\\n", "\r\n").replace("\\n", "\n"))));
    }

    @Test
    void version1WithoutItsEndNeedsMoreUntilItIsTooLong() {
        assertInstanceOf(ProxyHeader.NeedMore.class, ProxyHeader.parse(latin1("PROXY TCP4 203.0.113.9 ")));
        assertInstanceOf(ProxyHeader.NeedMore.class, ProxyHeader.parse(latin1("PRO")));
        assertInstanceOf(ProxyHeader.Invalid.class, ProxyHeader.parse(latin1("PROXY " + "9".repeat(200))));
    }

    @Test
    void version2Ipv4AndLocal() {
        byte[] v4 = v2(0x21, 0x11, new byte[] {(byte) 203, 0, 113, 9, (byte) 192, 0, 2, 1, 0x1F, 0x40, 0, 25});
        ProxyHeader.Parsed parsed = assertInstanceOf(ProxyHeader.Parsed.class, ProxyHeader.parse(Buffer.buffer(v4)));
        assertEquals("203.0.113.9", parsed.client().getHostAddress());
        assertEquals(28, parsed.length());

        ProxyHeader.Parsed local = assertInstanceOf(ProxyHeader.Parsed.class, ProxyHeader.parse(Buffer.buffer(v2(0x20, 0x00, new byte[0]))));
        assertNull(local.client());
    }

    @Test
    void version2InPiecesNeedsMore() {
        byte[] v4 = v2(0x21, 0x11, new byte[12]);
        for (int n = 0; n < v4.length; n++) {
            assertInstanceOf(ProxyHeader.NeedMore.class, ProxyHeader.parse(Buffer.buffer(java.util.Arrays.copyOf(v4, n))), "at " + n);
        }
    }

    @Test
    void version2WithAnUnknownVersionOrCommandIsInvalid() {
        assertInstanceOf(ProxyHeader.Invalid.class, ProxyHeader.parse(Buffer.buffer(v2(0x31, 0x11, new byte[12]))));
        assertInstanceOf(ProxyHeader.Invalid.class, ProxyHeader.parse(Buffer.buffer(v2(0x22, 0x11, new byte[12]))));
        assertInstanceOf(ProxyHeader.Invalid.class, ProxyHeader.parse(Buffer.buffer(v2(0x21, 0x11, new byte[4]))));
    }

    @Property(tries = 2000)
    void noInputMakesItThrow(@ForAll byte[] bytes) {
        ProxyHeader.parse(Buffer.buffer(bytes));
        byte[] signed = new byte[ProxyHeader.V2_SIGNATURE.length + bytes.length];
        System.arraycopy(ProxyHeader.V2_SIGNATURE, 0, signed, 0, ProxyHeader.V2_SIGNATURE.length);
        System.arraycopy(bytes, 0, signed, ProxyHeader.V2_SIGNATURE.length, bytes.length);
        ProxyHeader.parse(Buffer.buffer(signed));
        ProxyHeader.parse(Buffer.buffer("PROXY ").appendBytes(bytes));
    }

    private static byte[] v2(int versionCommand, int family, byte[] payload) {
        Buffer b = Buffer.buffer().appendBytes(ProxyHeader.V2_SIGNATURE).appendByte((byte) versionCommand).appendByte((byte) family)
                .appendShort((short) payload.length).appendBytes(payload);
        return b.getBytes();
    }

    private static Buffer latin1(String s) {
        return Buffer.buffer(s.getBytes(StandardCharsets.ISO_8859_1));
    }
}

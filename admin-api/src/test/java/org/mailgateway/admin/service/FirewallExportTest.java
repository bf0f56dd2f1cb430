package org.mailgateway.admin.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailgateway.contracts.Cidr;

/**
 * The export formats, as text and as the real tools load them: {@code nft -f} and {@code ipset restore} run in
 * a user and network namespace of their own ({@code unshare -rn}), so no firewall of the machine is touched and
 * no privilege is needed (Debian packages nftables, ipset; .ci/run installs them).
 */
class FirewallExportTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final List<Cidr> RANGES = Stream.of("198.51.100.7", "192.0.2.0/24", "192.0.2.128/25", "10.0.0.0/8",
            "10.1.2.3", "2001:db8::/32", "2001:db8:1::1", "2001:db8:ffff::/48", "2a00:1450::/32", "192.0.2.0/24")
            .map(Cidr::parse).toList();

    static Stream<Arguments> nesting() {
        return Stream.of(
                Arguments.of(List.of("10.0.0.0/8", "10.1.0.0/16", "10.1.2.3/32"), List.of("10.0.0.0/8")),
                Arguments.of(List.of("10.1.2.3/32", "10.1.0.0/16"), List.of("10.1.0.0/16")),
                Arguments.of(List.of("10.0.0.0/24", "10.0.1.0/24"), List.of("10.0.0.0/24", "10.0.1.0/24")),
                Arguments.of(List.of("2001:db8::/32", "10.0.0.0/8", "2001:db8::1/128"), List.of("10.0.0.0/8", "2001:db8::/32")),
                Arguments.of(List.of("10.0.0.0/8", "10.0.0.0/8"), List.of("10.0.0.0/8")),
                Arguments.of(List.of(), List.of()));
    }

    @ParameterizedTest
    @MethodSource("nesting")
    void aRangeInsideAnExportedRangeIsLeftOut(List<String> in, List<String> out) {
        assertEquals(out.stream().map(Cidr::parse).toList(), FirewallExport.outermost(in.stream().map(Cidr::parse).toList()));
    }

    @Test
    void plainIsOneRangePerLine() {
        assertEquals("# mail gateway block list: 5 active ranges at 2026-11-28T12:00:00Z\n"
                + "10.0.0.0/8\n192.0.2.0/24\n198.51.100.7/32\n"
                + Cidr.parse("2001:db8::/32") + "\n" + Cidr.parse("2a00:1450::/32") + "\n",
                FirewallExport.render(FirewallExport.Format.PLAIN, RANGES, NOW));
    }

    @Test
    void nftablesDefinesTheSetsEmptiesThemAndAddsTheRanges() {
        String v6 = Cidr.parse("2001:db8::/32") + ", " + Cidr.parse("2a00:1450::/32");
        assertEquals("# mail gateway block list: 5 active ranges at 2026-11-28T12:00:00Z\n"
                + "table inet mailgateway {\n"
                + "\tset blocked_ipv4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t}\n"
                + "\tset blocked_ipv6 {\n\t\ttype ipv6_addr\n\t\tflags interval\n\t}\n"
                + "}\n"
                + "flush set inet mailgateway blocked_ipv4\n"
                + "flush set inet mailgateway blocked_ipv6\n"
                + "add element inet mailgateway blocked_ipv4 { 10.0.0.0/8, 192.0.2.0/24, 198.51.100.7/32 }\n"
                + "add element inet mailgateway blocked_ipv6 { " + v6 + " }\n",
                FirewallExport.render(FirewallExport.Format.NFTABLES, RANGES, NOW));
    }

    @Test
    void ipsetCreatesFlushesAndAdds() {
        assertEquals("# mail gateway block list: 5 active ranges at 2026-11-28T12:00:00Z\n"
                + "create mailgateway-blocked-v4 hash:net family inet\n"
                + "create mailgateway-blocked-v6 hash:net family inet6\n"
                + "flush mailgateway-blocked-v4\n"
                + "flush mailgateway-blocked-v6\n"
                + "add mailgateway-blocked-v4 10.0.0.0/8\n"
                + "add mailgateway-blocked-v4 192.0.2.0/24\n"
                + "add mailgateway-blocked-v4 198.51.100.7/32\n"
                + "add mailgateway-blocked-v6 " + Cidr.parse("2001:db8::/32") + "\n"
                + "add mailgateway-blocked-v6 " + Cidr.parse("2a00:1450::/32") + "\n",
                FirewallExport.render(FirewallExport.Format.IPSET, RANGES, NOW));
    }

    @Test
    void unknownFormatNamesTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FirewallExport.Format.parse("iptables"));
        assertTrue(e.getMessage().contains("plain, nftables or ipset"));
        assertEquals(FirewallExport.Format.PLAIN, FirewallExport.Format.parse(null));
        assertEquals(FirewallExport.Format.NFTABLES, FirewallExport.Format.parse("NFTables"));
    }

    @Test
    void nftLoadsTheExportAndTheSetsHoldTheRanges() throws Exception {
        for (List<Cidr> ranges : List.of(RANGES, List.<Cidr>of(), List.of(Cidr.parse("203.0.113.9")))) {
            Path file = write("export.nft", FirewallExport.render(FirewallExport.Format.NFTABLES, ranges, NOW));
            // loading twice is the firewall's refresh: the second load replaces, it does not fail on existing sets
            String listed = run("unshare", "-rn", "sh", "-c",
                    "nft -f " + file + " && nft -f " + file + " && nft list table inet mailgateway");
            for (Cidr c : FirewallExport.outermost(ranges)) {
                String shown = c.prefixLength() == c.network().length * 8 ? c.toString().substring(0, c.toString().indexOf('/')) : c.toString();
                assertTrue(listed.contains(compressed(shown)), () -> shown + " missing from\n" + listed);
            }
        }
    }

    @Test
    void ipsetRestoresTheExportAndTheSetsHoldTheRanges() throws Exception {
        Path file = write("export.ipset", FirewallExport.render(FirewallExport.Format.IPSET, RANGES, NOW));
        String listed = run("unshare", "-rn", "sh", "-c",
                "ipset -exist restore < " + file + " && ipset -exist restore < " + file + " && ipset list");
        for (String expected : List.of("10.0.0.0/8", "192.0.2.0/24", "198.51.100.7", "2001:db8::/32", "2a00:1450::/32")) {
            assertTrue(listed.contains(expected), () -> expected + " missing from\n" + listed);
        }
        assertTrue(!listed.contains("192.0.2.128"), "a range inside another one is not exported");
    }

    /** nft prints IPv6 compressed; the API writes Java's full form. */
    private static String compressed(String text) {
        return text.replace("2001:db8:0:0:0:0:0:0", "2001:db8::").replace("2a00:1450:0:0:0:0:0:0", "2a00:1450::");
    }

    private static Path write(String name, String text) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "firewall-export"));
        return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII).toAbsolutePath();
    }

    private static String run(String... command) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command[0] + " (apt-get install nftables ipset util-linux)", e);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), () -> String.join(" ", command) + " failed:\n" + out);
        return out;
    }
}

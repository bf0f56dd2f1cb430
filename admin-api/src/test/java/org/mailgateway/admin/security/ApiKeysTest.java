package org.mailgateway.admin.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiKeysTest {

    private static final String HASH = HexFormat.of().formatHex(ApiKeys.sha256("k"));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "alice:viewer:HASH          | alice | viewer",
        "  bob : Operator : HASH    | bob   | operator",
        "ci-bot@ops:ADMIN:HASH      | ci-bot@ops | admin",
    })
    void aLineIsANameARoleAndAHash(String line, String name, String role) {
        List<ApiKeys.Entry> entries = ApiKeys.parseKeyFile(List.of("# comment", "", line.replace("HASH", HASH)));

        assertEquals(1, entries.size());
        assertEquals(new ApiKey(name, role), entries.get(0).key());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "alice:viewer                | expected name:role:sha256-hex",
        "alice:root:HASH             | unknown role 'root'",
        "alice:viewer:abc            | 64 hex digits",
        "al ice:viewer:HASH          | the name must be",
        "local-admin:viewer:HASH     | used twice",
    })
    void aBadLineStopsTheStartWithItsLineNumber(String line, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ApiKeys.parseKeyFile(List.of("# keys", line.replace("HASH", HASH))));

        assertTrue(e.getMessage().startsWith("API key file, line 2: "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"viewer, viewer", "operator, viewer operator", "admin, viewer operator admin"})
    void aRoleImpliesTheOnesBelowIt(String role, String implied) {
        assertEquals(Set.of(implied.split(" ")), Roles.implied(role));
    }
}

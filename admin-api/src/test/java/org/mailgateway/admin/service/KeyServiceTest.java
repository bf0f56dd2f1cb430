package org.mailgateway.admin.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailgateway.admin.rest.ProblemException;

class KeyServiceTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "grafana       | viewer   | viewer",
        "ci-bot@ops    | Operator | operator",
        "a.b_c         | ADMIN    | admin",
        "x             | admin    | admin",
    })
    void aValidNameAndRole(String name, String role, String normalised) {
        assertEquals(new KeyService.NewKey(name, normalised), KeyService.validate(new KeyService.NewKey(name, role)));
    }

    @ParameterizedTest(name = "[{0}] [{1}]")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "''            | viewer | name:",
        "NULL          | viewer | name:",
        "has space     | viewer | name:",
        "slash/name    | viewer | name:",
        "name:colon    | viewer | name:",
        "ünicode       | viewer | name:",
        "grafana       | root   | role:",
        "grafana       | ''     | role:",
        "grafana       | NULL   | role:",
    })
    void aBadNameOrRoleIsA400NamingTheField(String name, String role, String field) {
        ProblemException e = assertThrows(ProblemException.class, () -> KeyService.validate(new KeyService.NewKey(name, role)));

        assertEquals(400, e.status().getStatusCode());
        assertTrue(e.getMessage().startsWith(field), e.getMessage());
    }

    @ParameterizedTest(name = "{0} characters")
    @CsvSource({"64, true", "65, false"})
    void aNameHasAtMost64Characters(int length, boolean valid) {
        KeyService.NewKey request = new KeyService.NewKey("n".repeat(length), "viewer");
        if (valid) {
            assertEquals(request, KeyService.validate(request));
        } else {
            assertThrows(ProblemException.class, () -> KeyService.validate(request));
        }
    }
}

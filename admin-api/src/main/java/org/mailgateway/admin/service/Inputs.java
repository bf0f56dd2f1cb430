package org.mailgateway.admin.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.mailgateway.admin.config.AdminConfig;
import org.mailgateway.admin.rest.ProblemException;
import org.mailgateway.contracts.Cidr;

/**
 * The bounds every query parameter is checked against; a value out of bounds is a 400 problem that names the
 * parameter ({@code "limit: ..."}).
 */
@ApplicationScoped
public class Inputs {

    private final AdminConfig config;

    public Inputs(AdminConfig config) {
        this.config = config;
    }

    /** The page size: the default when absent, otherwise 1 to {@code max-page-size}. */
    public int pageSize(Integer limit) {
        int size = limit == null ? config.admin().defaultPageSize() : limit;
        if (size < 1 || size > config.admin().maxPageSize()) {
            throw ProblemException.badRequest("limit: must be between 1 and " + config.admin().maxPageSize());
        }
        return size;
    }

    /** A text filter, stripped; null when absent or blank; at most {@code max-filter-length} characters. */
    public String text(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String stripped = value.strip();
        if (stripped.length() > config.admin().maxFilterLength()) {
            throw ProblemException.badRequest(name + ": at most " + config.admin().maxFilterLength() + " characters");
        }
        return stripped;
    }

    /** An ISO-8601 instant ({@code 2026-11-28T10:00:00Z}), or null. */
    public Instant time(String name, String value) {
        String text = text(name, value);
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(name + ": not an ISO-8601 time such as 2026-11-28T10:00:00Z");
        }
    }

    /** A finite number, or null. */
    public Double number(String name, String value) {
        String text = text(name, value);
        try {
            Double number = text == null ? null : Double.valueOf(text);
            if (number != null && (number.isNaN() || number.isInfinite())) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(name + ": not a number");
        }
    }

    /** A single address or a CIDR, as a CIDR; null when absent. */
    public String network(String name, String value) {
        String text = text(name, value);
        try {
            return text == null ? null : Cidr.parse(text).toString();
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(name + ": " + e.getMessage());
        }
    }
}

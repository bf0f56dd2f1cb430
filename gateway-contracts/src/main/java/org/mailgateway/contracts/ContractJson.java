package org.mailgateway.contracts;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one serialisation of the contract records: JSON, timestamps as ISO-8601 strings, unknown fields
 * ignored so that a newer producer does not break an older consumer.
 */
public final class ContractJson {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ContractJson() {
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /**
     * @throws MalformedRecordException when the bytes are not a valid {@code type}
     */
    public static <T> T read(byte[] json, Class<T> type) {
        if (json == null) {
            throw new MalformedRecordException("missing " + type.getSimpleName());
        }
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException | RuntimeException e) {
            throw new MalformedRecordException("invalid " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}

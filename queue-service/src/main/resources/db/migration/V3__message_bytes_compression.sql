-- The stored message bytes (message.raw) are compressed with lz4 where the server has it, not with pglz.
--
-- pglz, PostgreSQL's default, is slow, and slowest on what mail mostly carries: base64 attachments, which it cannot
-- shrink by the 25 % it requires, so it spends the whole effort and then stores the bytes uncompressed anyway.
-- Measured per 64 KiB message on the benchmark machine (docs/decisions/0006-message-bytes-compression.md):
--   a base64 body:          pglz 1.0 ms, lz4 0.22 ms, both store 65 KiB
--   smtp-source's filler:   pglz 0.25 ms (1.6 KiB stored), lz4 0.014 ms (0.6 KiB stored)
-- lz4 needs a server built with it (PostgreSQL 14 or later, --with-lz4: Debian's, the official and the
-- CloudNativePG images). Where it is missing (the embedded PostgreSQL of the local stack) pglz stays. Only values
-- written from now on change; reads, substring() and octet_length() work the same on both.
DO $$
BEGIN
    -- EXECUTE: a server older than 14 does not know the syntax, and must fail here, inside the handler
    EXECUTE 'ALTER TABLE message ALTER COLUMN raw SET COMPRESSION lz4';
    RAISE NOTICE 'message bytes: compressed with lz4';
EXCEPTION WHEN feature_not_supported OR syntax_error THEN
    RAISE NOTICE 'message bytes: this PostgreSQL has no lz4, they stay compressed with pglz';
END $$;

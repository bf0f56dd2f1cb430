-- Room on every page of the message table for the row's next version.
--
-- Once every recipient of a message has it, its bytes are dropped (UPDATE message SET raw = NULL). With full pages
-- (the default fillfactor, 100) that new version goes to another page, and each of the table's indexes gets a new
-- entry for it. With 30 % of each page left free it stays on the same page as a heap-only tuple (HOT): no index
-- entries, and a write-ahead-log record of a third the size. Measured on the benchmark machine, 2 KiB messages
-- (docs/benchmarks.md, eighth pass): 79 % of these updates HOT instead of 9-12 %, 319 bytes of WAL per message for
-- the update instead of 1,087-1,109. The table takes up to 30 % more pages for the rows it holds. Only pages
-- written from now on keep the room.
ALTER TABLE message SET (fillfactor = 70);

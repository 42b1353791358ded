-- The database server's wall clock now (not the transaction's start).
SELECT clock_timestamp();

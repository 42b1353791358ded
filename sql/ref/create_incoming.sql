-- A temp table for one reference pull: the untouched items, loaded by COPY.
CREATE TEMP TABLE incoming (payload jsonb NOT NULL) ON COMMIT DROP

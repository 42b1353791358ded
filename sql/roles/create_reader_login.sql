-- A new login role for one report reader: no attribute beyond LOGIN; its password is set by
-- the database administrator (ALTER ROLE ... PASSWORD), never by the pipeline.
CREATE ROLE {reader} LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS

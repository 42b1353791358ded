-- The group role that holds the report readers' privileges; it cannot log in itself.
CREATE ROLE {group} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS

-- One row if the database %(name)s exists on the server.
SELECT 1 FROM pg_database WHERE datname = %(name)s;

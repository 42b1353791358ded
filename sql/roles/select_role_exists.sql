-- One row if the role %(role)s exists on the server.
SELECT 1 FROM pg_roles WHERE rolname = %(role)s;

-- The database this connection is on (a URL without a database name connects to the user's).
SELECT current_database();

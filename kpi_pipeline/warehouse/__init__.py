"""PostgreSQL: the embedded default server, connections, SQL files, COPY."""

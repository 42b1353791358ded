-- Reference items streamed into the temp table `incoming` (ref/create_incoming.sql).
COPY incoming (payload) FROM STDIN;

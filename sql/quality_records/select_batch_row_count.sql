-- Rows of one checked batch (the batch query composed in as a subquery).
SELECT count(*) FROM ({batch}) AS {alias};

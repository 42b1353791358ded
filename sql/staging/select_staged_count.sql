-- How many rows of `conformed` this run stages.
SELECT count(*) FROM conformed WHERE disposition = 'staged'

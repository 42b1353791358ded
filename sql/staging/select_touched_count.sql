-- How many current rows this run rebuilds (temp table `touched`).
SELECT count(*) FROM touched

-- Records a rule flags over its batch, per unit (the rule's second column), largest first.
SELECT unit_code, count(*)
FROM ({flagged}) AS flagged
GROUP BY unit_code
ORDER BY count(*) DESC, unit_code;

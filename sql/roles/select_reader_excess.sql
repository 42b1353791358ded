-- What role %(role)s may do beyond reading schema kpi in this database: any privilege on a
-- table or view outside kpi, any write privilege on one inside, CREATE on any schema, and the
-- role attributes a reader must not have. Empty for a least-privilege report reader.
SELECT format('%%s on %%I.%%I', p.privilege, t.table_schema, t.table_name) AS excess
FROM information_schema.tables t
CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'])
    AS p (privilege)
WHERE t.table_schema NOT IN ('pg_catalog', 'information_schema')
  AND has_table_privilege(%(role)s, format('%%I.%%I', t.table_schema, t.table_name), p.privilege)
  AND NOT (t.table_schema = 'kpi' AND p.privilege = 'SELECT')
UNION ALL
SELECT format('CREATE on schema %%I', n.nspname)
FROM pg_namespace n
WHERE n.nspname NOT LIKE 'pg\_%%' AND n.nspname <> 'information_schema'
  AND has_schema_privilege(%(role)s, n.oid, 'CREATE')
UNION ALL
SELECT 'role attribute ' || a.attribute
FROM pg_roles r
CROSS JOIN LATERAL (VALUES ('SUPERUSER', r.rolsuper), ('CREATEDB', r.rolcreatedb),
    ('CREATEROLE', r.rolcreaterole), ('REPLICATION', r.rolreplication),
    ('BYPASSRLS', r.rolbypassrls)) AS a (attribute, granted)
WHERE r.rolname = %(role)s AND a.granted
ORDER BY 1

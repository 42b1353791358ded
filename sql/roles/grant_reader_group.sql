-- Report readers: SELECT on the published schema kpi and nothing else. Default privileges
-- give them the kpi tables the pipeline's role creates later too. Idempotent.
GRANT CONNECT ON DATABASE {database} TO {group};
GRANT USAGE ON SCHEMA kpi TO {group};
GRANT SELECT ON ALL TABLES IN SCHEMA kpi TO {group};
ALTER DEFAULT PRIVILEGES IN SCHEMA kpi GRANT SELECT ON TABLES TO {group}

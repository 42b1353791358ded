-- Unit lineage across the 2025 reform (docs/REFORM-2025.md): built from ref.units and the
-- official conversion tables by the ref/unit_lineage asset, replaced whole on each run.
CREATE SCHEMA IF NOT EXISTS ref;

-- One row per (ended unit, unit taking over its work); a split unit has one `part` row per
-- successor and exactly one `is_default` (the attribution of its dossiers).
CREATE TABLE IF NOT EXISTS ref.unit_lineage (
    old_unit_code   text NOT NULL,
    new_unit_code   text NOT NULL,
    share           text NOT NULL CHECK (share IN ('whole', 'part')),
    is_default      boolean NOT NULL,
    effective_date  date NOT NULL,          -- the successor's first day
    source          text NOT NULL,          -- the table or decision the row comes from
    loaded_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (old_unit_code, new_unit_code, effective_date)
);

-- Every unit code -> the unit in force today its dossiers are attributed to (the default
-- edges followed to the end); lineage_partial when a split unit is on the way.
CREATE TABLE IF NOT EXISTS ref.unit_current_map (
    unit_code          text PRIMARY KEY,
    current_unit_code  text NOT NULL,
    lineage_partial    boolean NOT NULL,
    loaded_at          timestamptz NOT NULL DEFAULT now()
);

-- Every alert delivery (alert kind, period, unit, channel, recipient) and what became of it:
-- the record that keeps a rerun from sending the same alert twice (kpi_pipeline/alerts/).
CREATE SCHEMA IF NOT EXISTS kpi;

CREATE TABLE IF NOT EXISTS kpi.alerts_sent (
    alert_kind        text NOT NULL CHECK (alert_kind IN ('friday', 'peak_month')),
    period_start      date NOT NULL,   -- the week's Friday, or the 1st of the peak month
    unit_code         text NOT NULL,   -- the responsible unit (MaDonVi)
    channel           text NOT NULL CHECK (channel IN ('email', 'webhook')),
    recipient         text NOT NULL,   -- the address, or the webhook recipient as JSON
    change            text NOT NULL CHECK (change IN ('turned_red', 'stayed_red')),
    status            text NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    attempts          integer NOT NULL DEFAULT 0, -- over every run
    first_attempt_at  timestamptz NOT NULL,
    last_attempt_at   timestamptz NOT NULL,
    sent_at           timestamptz,      -- when it was delivered; null unless sent
    error             text,             -- the last failure (no secrets); null once sent
    run_id            text NOT NULL,    -- the Dagster run that last handled it
    PRIMARY KEY (alert_kind, period_start, unit_code, channel, recipient)
);
